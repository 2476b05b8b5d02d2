/**
 * kafkajs is CommonJS and in maintenance mode: everything else imports it
 * through this file, so swapping the client later touches src/kafka only.
 */
import kafkajs from 'kafkajs'

export const {Kafka, logLevel, ConfigResourceTypes, CompressionTypes, CompressionCodecs} = kafkajs
export type {Admin, Consumer, KafkaConfig, Producer, SASLOptions, Kafka as KafkaClient} from 'kafkajs'
