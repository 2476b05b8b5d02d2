export * from './sink.js'
export * from './ids.js'
