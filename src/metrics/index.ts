export * from './server.js'
export * from './registry.js'
export * from './targets.js'
export * from './tls-expiry.js'
