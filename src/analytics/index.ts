export * from './job.js'
export * from './python.js'
export * from './stats.js'
