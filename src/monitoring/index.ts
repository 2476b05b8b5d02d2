export * from './alertmanager-config.js'
