export * from './simulate.js'
export * from './views.js'
