export * from './server.js'
export * from './registry.js'
