export * from './demo.js'
