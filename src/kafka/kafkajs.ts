/**
 * kafkajs is CommonJS and in maintenance mode: everything else imports it
 * through this file, so swapping the client later touches src/kafka only.
 */
import kafkajs from 'kafkajs'

export const {Kafka, logLevel, ConfigResourceTypes, CompressionTypes, CompressionCodecs, Partitioners} = kafkajs
export type {Admin, Consumer, ICustomPartitioner, KafkaConfig, Message, Producer, SASLOptions, Kafka as KafkaClient} from 'kafkajs'
