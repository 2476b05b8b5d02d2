/**
 * kafkajs, for admin requests only (see client.ts): CommonJS and in
 * maintenance mode, imported through this file alone.
 */
import kafkajs from 'kafkajs'

export const {Kafka, logLevel, ConfigResourceTypes, Partitioners, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes} = kafkajs
export type {Admin, KafkaConfig, SASLOptions, Kafka as KafkaClient} from 'kafkajs'
