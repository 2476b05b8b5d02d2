import {isMktError, type ExitCodeName} from '../errors.js'

/** RFC 9457 problem details: what every error of the gateway answers, as application/problem+json. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  instance?: string
  /** What to do next, as the CLI's errors say it. */
  suggestion?: string
  /** The CLI's exit code name for the same error (usage, notFound, timeout, ...). */
  code?: string
}

export const PROBLEM_TYPE = (code: string) => `urn:mkt:problem:${code}`

/** The HTTP status of each documented CLI error: the same failures, in HTTP's words. */
const STATUS: Record<ExitCodeName, number> = {
  ok: 200,
  internal: 500,
  usage: 400,
  config: 500,
  unreachable: 503,
  prerequisite: 503,
  infra: 503,
  notFound: 404,
  rejected: 422,
  incompatible: 409,
  notBanned: 404,
  timeout: 504,
  jobFailed: 500,
  notAcknowledged: 503,
  authentication: 502,
  denied: 403,
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

export function problem(status: number, code: string, detail: string, extra: {suggestion?: string; instance?: string} = {}): Problem {
  return {type: PROBLEM_TYPE(code), title: TITLES[status] ?? 'Error', status, detail, code, ...extra}
}

/** An error thrown by the platform (or by Fastify: validation, parsing, limits) as problem details. */
export function problemFromError(error: unknown, instance?: string): Problem {
  const where = instance ? {instance} : {}
  if (isMktError(error)) return problem(STATUS[error.code], error.code, error.message, {suggestion: error.suggestion, ...where})
  const fastify = error as {statusCode?: number; code?: string; message?: string; validation?: unknown}
  if (fastify.validation) return problem(400, 'usage', fastify.message ?? 'The request is not valid.', where)
  if (fastify.statusCode && fastify.statusCode >= 400 && fastify.statusCode < 500)
    return problem(fastify.statusCode, fastify.statusCode === 404 ? 'notFound' : 'usage', fastify.message ?? 'The request is not valid.', where)
  return problem(500, 'internal', 'The gateway failed to answer; its log says why.', where)
}

/** The schema of every problem response, for the OpenAPI document. */
export const PROBLEM_SCHEMA = {
  $id: 'Problem',
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: {type: 'string'},
    title: {type: 'string'},
    status: {type: 'integer'},
    detail: {type: 'string'},
    instance: {type: 'string'},
    suggestion: {type: 'string'},
    code: {type: 'string'},
  },
} as const
