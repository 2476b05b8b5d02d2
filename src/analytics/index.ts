export * from './job.js'
export * from '../pyspark/env.js'
export * from './stats.js'
export * from './last-run.js'
