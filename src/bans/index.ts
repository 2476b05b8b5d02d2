export * from './ban.js'
export * from './import.js'
export * from './table.js'
export * from './write.js'
