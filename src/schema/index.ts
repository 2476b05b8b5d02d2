export * from './registry.js'
export * from './avro.js'
export * from './subjects.js'
