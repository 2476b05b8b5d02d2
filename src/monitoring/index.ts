export * from './alertmanager-config.js'
export * from './dashboards.js'
