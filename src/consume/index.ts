export * from './consume.js'
export * from './decode.js'
