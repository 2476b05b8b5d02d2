import {MktError} from '../errors.js'

/** Why a request got no answer, in a few words: a timeout, or the socket's own error (ECONNREFUSED …). */
function causeOf(error: unknown): string {
  const e = error as Error & {cause?: unknown}
  if (e.name === 'TimeoutError') return 'no answer in time'
  return e.cause instanceof Error ? e.cause.message : e.message
}

/** GET a monitoring API; no answer within the timeout is one MktError naming the service and its URL. */
export async function getApi(service: string, baseUrl: string, path: string, hint: string, timeoutMs = 5000): Promise<{response: Response; text: string}> {
  try {
    const response = await fetch(`${baseUrl.replace(/\/$/, '')}${path}`, {headers: {Accept: 'application/json'}, signal: AbortSignal.timeout(timeoutMs)})
    return {response, text: await response.text()}
  } catch (error) {
    throw new MktError(`${service} does not answer at ${baseUrl} (${causeOf(error)}).`, hint, 'unreachable', {cause: error})
  }
}
