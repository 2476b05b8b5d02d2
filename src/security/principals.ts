/**
 * Who talks to Kafka: one SCRAM principal per service (least privilege, see
 * compose/acls.yaml), the admin, and the two the brokers themselves use.
 */
export const SERVICE_PRINCIPALS = ['shop', 'filter', 'indexer', 'recommender', 'analytics', 'client', 'gateway', 'connect', 'mirror', 'monitor'] as const
export type ServicePrincipal = (typeof SERVICE_PRINCIPALS)[number]
/** MirrorMaker 2 (full stack). */
export const MIRROR_PRINCIPAL: ServicePrincipal = 'mirror'
/** The Kafka Connect workers and their sink tasks (full stack). */
export const CONNECT_PRINCIPAL: ServicePrincipal = 'connect'

export const ADMIN_PRINCIPAL = 'admin'
/** Inter-broker traffic (SCRAM over TLS). */
export const BROKER_PRINCIPAL = 'broker'
/** The KRaft controller listener (PLAIN over TLS: SCRAM between controllers does not work, KAFKA-15513). */
export const CONTROLLER_PRINCIPAL = 'controller'

/** Every SCRAM user a secure cluster is formatted with. */
export const SCRAM_USERS = [ADMIN_PRINCIPAL, BROKER_PRINCIPAL, ...SERVICE_PRINCIPALS] as const

/** The principals with every right (super.users): authorising them would only add ways to lock the cluster out. */
export const SUPER_USERS = [ADMIN_PRINCIPAL, BROKER_PRINCIPAL, CONTROLLER_PRINCIPAL] as const

export const SCRAM_MECHANISM = 'SCRAM-SHA-512'

const NAME = /^[a-z][a-z0-9._-]{0,63}$/

/** A user name mkt creates: lower case, safe in JAAS, file names and ACL principals. */
export function checkUserName(name: string): string | undefined {
  return NAME.test(name) ? undefined : `"${name}" is not a valid user name: use 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter`
}
