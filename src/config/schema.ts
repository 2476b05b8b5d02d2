import {z} from 'zod'

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9092')

export const tlsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  ca: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
  rejectUnauthorized: z.boolean().default(true),
})

export const saslSchema = z
  .strictObject({
    mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
    username: z.string().min(1),
    password: z.string().min(1).optional(),
    /** A 0600 file holding the password (what `mkt infra up` writes): config.yaml then holds no secret. */
    passwordFile: z.string().min(1).optional(),
  })
  .refine((s) => (s.password === undefined) !== (s.passwordFile === undefined), {message: 'give either password or passwordFile'})

export const registrySchema = z.strictObject({
  url: z.url(),
  username: z.string().optional(),
  password: z.string().optional(),
})

/** One named set of connection settings, as stored in config.yaml. */
export const profileSchema = z.strictObject({
  brokers: z.array(hostPort).min(1).optional(),
  schemaRegistry: registrySchema.optional(),
  tls: tlsSchema.optional(),
  sasl: saslSchema.optional(),
  stateDir: z.string().optional(),
  runtime: z.enum(['local', 'docker']).optional(),
  clientId: z.string().optional(),
  /** Where `mkt search` finds a running indexer (`mkt index start`). */
  searchUrl: z.url().optional(),
  /** Kafka Connect's REST API (`mkt connect`); `mkt infra up --stack full` writes it. */
  connectUrl: z.url().optional(),
})

export const configFileSchema = z.strictObject({
  current: z.string().optional(),
  profiles: z.record(z.string(), profileSchema).default({}),
})

export type StoredProfile = z.infer<typeof profileSchema>
export type ConfigFile = z.infer<typeof configFileSchema>
export type TlsSettings = z.infer<typeof tlsSchema>
export type StoredSasl = z.infer<typeof saslSchema>
/** SASL settings with the password read (from the profile, its passwordFile or MKT_SASL_PASSWORD). */
export interface SaslSettings {
  mechanism: StoredSasl['mechanism']
  username: string
  password: string
}

/** The settings every client is built from, after precedence is applied. */
export interface Profile {
  name: string
  brokers: string[]
  schemaRegistry: {url: string; username?: string; password?: string}
  tls?: TlsSettings
  sasl?: SaslSettings
  stateDir: string
  runtime?: 'local' | 'docker'
  clientId: string
  searchUrl: string
  connectUrl?: string
}

export {hostPort}
