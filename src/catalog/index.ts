export * from './card.js'
export * from './validate.js'
