/**
 * librdkafka through @confluentinc/kafka-javascript: the client for every
 * produce and consume path (its idempotent producer and transactions are
 * correct across leader changes; kafkajs's are not). CommonJS with a native
 * addon: everything else imports it through this file.
 */
import rdkafka from '@confluentinc/kafka-javascript'

export const {Producer: RdProducer, CODES} = rdkafka
export const RdConsumer = rdkafka.KafkaConsumer as unknown as new (config: never, topicConfig: never) => KafkaConsumer
import type {KafkaConsumer as TypedConsumer, LibrdKafkaError, TopicPartitionOffset} from '@confluentinc/kafka-javascript'
export type {LibrdKafkaError, Message, Metadata, Producer, TopicPartitionOffset, EofEvent} from '@confluentinc/kafka-javascript'

/** The consumer with the methods its typings leave out (all in lib/kafka-consumer.js). */
export type KafkaConsumer = TypedConsumer & {
  incrementalAssign(assignment: TopicPartitionOffset[] | Array<{topic: string; partition: number}>): void
  incrementalUnassign(assignment: TopicPartitionOffset[] | Array<{topic: string; partition: number}>): void
  assignmentLost(): boolean
  commitCb(offsets: TopicPartitionOffset[], cb: (error: LibrdKafkaError | null) => void): void
  setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void
}

export const ERR = CODES.ERRORS

/** librdkafka's settings, as its CONFIGURATION.md names them. */
export type RdConfig = Record<string, string | number | boolean | ((...args: never[]) => void)>
