export * from './cluster.js'
export * from './plan.js'
export * from './spec.js'
