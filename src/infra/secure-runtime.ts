import type {Profile, StoredProfile} from '../config/schema.js'
import {MktError} from '../errors.js'
import path from 'node:path'

import {certPaths, describeCertificates, ensureCertificates} from '../security/certs.js'
import {ADMIN_PRINCIPAL, BROKER_PRINCIPAL, CONTROLLER_PRINCIPAL, SCRAM_USERS, SERVICE_PRINCIPALS} from '../security/principals.js'
import {ensurePassword, passwordFile, readPassword} from '../security/secrets.js'
import {analyticsNodes, brokerNodes, type RuntimeLayout, type ServiceNode} from './graph.js'
import type {NodeSecurity} from './kafka-node.js'

export function caFile(stateDir: string): string {
  return certPaths(stateDir).ca
}

/** Host names and IPs a broker certificate already lists (e.g. from `mkt certs create --host`), so a restart keeps them. */
async function existingHosts(stateDir: string): Promise<Map<string, string[]>> {
  const certs = await describeCertificates(stateDir).catch(() => [])
  return new Map(certs.map((c) => [path.basename(c.file, '.pem'), c.sans.map((s) => s.replace(/^(DNS|IP):/, ''))]))
}

/** The CA and one certificate per broker of either cluster (its name for compose, the runtime's host, localhost, 127.0.0.1, and any host it was given before). */
export async function ensureRuntimeCertificates(layout: RuntimeLayout, force = false): Promise<{created: string[]}> {
  const before = await existingHosts(layout.stateDir)
  const nodes = [...brokerNodes(layout), ...analyticsNodes(layout)].map((n) => ({
    name: n.name,
    hosts: [...new Set([n.name, layout.host, ...(before.get(n.name) ?? [])])],
  }))
  const {created} = await ensureCertificates({stateDir: layout.stateDir, nodes, clients: [], force})
  return {created}
}

/** The SCRAM users a secure cluster is formatted with, their passwords generated on first use. */
export function bootstrapUsers(stateDir: string): Array<{name: string; password: string}> {
  return SCRAM_USERS.map((name) => ({name, password: ensurePassword(stateDir, name)}))
}

export function nodeSecurity(layout: RuntimeLayout, node: ServiceNode): NodeSecurity {
  return {
    keystore: certPaths(layout.stateDir).node(node.name).keystore,
    truststore: caFile(layout.stateDir),
    brokerPassword: ensurePassword(layout.stateDir, BROKER_PRINCIPAL),
    controllerPassword: ensurePassword(layout.stateDir, CONTROLLER_PRINCIPAL),
  }
}

/** The TLS and SASL part of a profile for one principal of a secure runtime (nothing for a plaintext one). */
export function securityForLayout(layout: RuntimeLayout, principal: string): Pick<Profile, 'tls' | 'sasl'> {
  if (layout.security !== 'sasl_ssl') return {}
  const password = readPassword(layout.stateDir, principal)
  if (!password)
    throw new MktError(
      `No password is stored for user "${principal}" in ${passwordFile(layout.stateDir, principal)}.`,
      'Run `mkt infra up` to create the runtime, or `mkt users create` for a new user.',
      'config',
    )
  return {
    tls: {enabled: true, ca: caFile(layout.stateDir), rejectUnauthorized: true},
    sasl: {mechanism: 'scram-sha-512', username: principal, password},
  }
}

/**
 * The profiles `infra up` writes: NAME (the admin), NAME:admin, and
 * NAME:<service> for every service principal. Passwords stay in their files
 * (sasl.passwordFile): config.yaml holds none.
 */
export function storedProfilesForLayout(
  layout: Pick<RuntimeLayout, 'security' | 'stateDir'>,
  name: string,
  base: StoredProfile,
): Record<string, StoredProfile> {
  if (layout.security !== 'sasl_ssl') return {[name]: base}
  const forPrincipal = (principal: string): StoredProfile => ({
    ...base,
    tls: {enabled: true, ca: caFile(layout.stateDir), rejectUnauthorized: true},
    sasl: {mechanism: 'scram-sha-512', username: principal, passwordFile: passwordFile(layout.stateDir, principal)},
  })
  return Object.fromEntries([
    [name, forPrincipal(ADMIN_PRINCIPAL)],
    [`${name}:${ADMIN_PRINCIPAL}`, forPrincipal(ADMIN_PRINCIPAL)],
    ...SERVICE_PRINCIPALS.map((p) => [`${name}:${p}`, forPrincipal(p)] as const),
  ])
}
