export * from './sink.js'
