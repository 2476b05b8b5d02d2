/**
 * Every failure a user can cause or fix surfaces as an MktError: one sentence
 * saying what is wrong, a suggestion of what to do next, and a documented exit
 * code (README "Exit codes"). Anything else is a bug and exits with 1.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  config: 3,
  unreachable: 4,
  prerequisite: 5,
  infra: 6,
  notFound: 7,
  /** Some input was rejected (sent to the DLQ); the rest was delivered. */
  rejected: 8,
  /** A schema is not compatible with what the registry holds. */
  incompatible: 9,
  /** `ban remove` of something that is not banned. */
  notBanned: 10,
  /** A reply that was waited for (`recommend --wait`) did not come in time. */
  timeout: 11,
  /** An external job (the Spark analytics job) failed. */
  jobFailed: 12,
  /** Kafka did not acknowledge some valid cards (brokers down, too few in-sync replicas); they were written to a file to send again. */
  notAcknowledged: 13,
  /** The brokers did not accept who we are: wrong password, unknown user, an untrusted or mismatched certificate, plaintext on a TLS listener. */
  authentication: 14,
  /** The principal is authenticated but an ACL does not allow the operation. */
  denied: 15,
} as const

export type ExitCodeName = keyof typeof ExitCode

export class MktError extends Error {
  readonly exitCode: number

  constructor(
    message: string,
    readonly suggestion: string | undefined,
    readonly code: ExitCodeName,
    options?: {cause?: unknown},
  ) {
    super(message, options)
    this.name = 'MktError'
    this.exitCode = ExitCode[code]
  }

  toJSON(): Record<string, unknown> {
    return {code: this.code, exitCode: this.exitCode, message: this.message, suggestion: this.suggestion}
  }
}

export function isMktError(error: unknown): error is MktError {
  return error instanceof MktError
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
