import type {Profile} from '../config/schema.js'
import {DEFAULT_SEARCH_URL} from '../config/resolve.js'
import {ADMIN_PRINCIPAL} from '../security/principals.js'
import {bootstrapServers, registryUrl, type ClusterName, type RuntimeLayout} from './graph.js'
import {securityForLayout} from './secure-runtime.js'

/** A profile that reaches this runtime as one principal (the admin by default), for health checks, tests and benchmarks. */
export function profileForLayout(layout: RuntimeLayout, name = 'local', principal = ADMIN_PRINCIPAL, cluster: ClusterName = 'main'): Profile {
  return {
    name,
    brokers: bootstrapServers(layout, cluster),
    schemaRegistry: {url: registryUrl(layout)},
    ...securityForLayout(layout, principal),
    stateDir: layout.stateDir,
    runtime: 'local',
    clientId: 'mkt',
    searchUrl: DEFAULT_SEARCH_URL,
  }
}
