export * from './answer.js'
export * from './request.js'
export * from './serve.js'
