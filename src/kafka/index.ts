export * from './client.js'
export * from './kafkajs.js'
export * from './health.js'
export * from './compression.js'
