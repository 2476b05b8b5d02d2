import {randomUUID} from 'node:crypto'

import {checkUserId} from '../events/ids.js'
import type {Profile} from '../config/schema.js'
import {consumeTopic} from '../consume/consume.js'
import {MktError} from '../errors.js'
import {EventSink} from '../events/sink.js'
import {retryRetriable, withAdmin} from '../kafka/client.js'
import {debug} from '../log.js'
import {valueSubject} from '../schema/subjects.js'
import {AvroWireDecoder} from '../schema/wire-decoder.js'
import {TOPICS} from '../topics/names.js'

export const REQUESTS_TOPIC = TOPICS.recommendationRequests
export const RESULTS_TOPIC = TOPICS.recommendationReplies
export const RECOMMENDATIONS_TOPIC = TOPICS.recommendations
export const RECOMMENDER_GROUP = 'mkt-recommender'
export const MAX_RECOMMENDATIONS = 50
const EARLY_REPLIES = 10_000

/** compose/schemas/recommend-request.avsc */
export interface RecommendRequest {
  request_id: string
  user_id: string
  category: string | null
  max_price: number | null
  limit: number
  requested_at: string
}

export interface RecommendedProduct {
  product_id: string
  name: string
  brand: string
  category: string
  price: number
  currency: string
  available: number
  score: number
}

/** compose/schemas/recommend-reply.avsc */
export interface RecommendReply {
  request_id: string
  user_id: string
  items: RecommendedProduct[]
  source: string
  model_version: string | null
  computed_at: string | null
  answered_at: string
  worker: string
}

export interface RecommendInput {
  userId: string
  category?: string
  maxPrice?: number
  limit?: number
}

/** Validates what a client asks for; every problem is a usage error naming the flag. */
export function recommendRequest(input: RecommendInput): RecommendRequest {
  const limit = input.limit ?? 10
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECOMMENDATIONS)
    throw new MktError(`--limit must be a whole number from 1 to ${MAX_RECOMMENDATIONS}, got ${limit}.`, 'For example --limit 10.', 'usage')
  if (input.maxPrice !== undefined && !(Number.isFinite(input.maxPrice) && input.maxPrice >= 0))
    throw new MktError(`--max-price must be a price of 0 or more, got ${input.maxPrice}.`, 'For example --max-price 5000.', 'usage')
  const category = input.category?.trim()
  return {
    request_id: randomUUID(),
    user_id: checkUserId(input.userId),
    category: category || null,
    max_price: input.maxPrice ?? null,
    limit,
    requested_at: new Date().toISOString(),
  }
}

export type RequestSink = EventSink<RecommendRequest>

export function openRecommendRequests(profile: Profile, topic = REQUESTS_TOPIC): Promise<RequestSink> {
  return EventSink.open<RecommendRequest>(profile, {topic, schemaTopic: REQUESTS_TOPIC, key: (r) => r.user_id, role: 'recommend-client', intervalMs: 0})
}

/**
 * Follows recommendations-results from where it ends now and hands each reply
 * to whoever waits for its request id. Opened before the request is sent, so
 * no reply can slip past.
 */
export class ReplyWaiter {
  private readonly waiting = new Map<string, (reply: RecommendReply) => void>()
  private readonly early = new Map<string, RecommendReply>()
  private readonly stop = new AbortController()
  private following?: Promise<unknown>

  private constructor(private readonly profile: Profile) {}

  static async open(profile: Profile, topic = RESULTS_TOPIC): Promise<ReplyWaiter> {
    const waiter = new ReplyWaiter(profile)
    // The replies' schema is fetched while the reader connects, so decoding the reply costs no registry round trip.
    const registry = new AvroWireDecoder(profile)
    void registry.prefetchLatest(valueSubject(topic)).catch(() => {}) // a reply in another schema, or before this finished, is looked up when it comes
    let positioned!: () => void
    const ready = new Promise<void>((resolve) => (positioned = resolve))
    waiter.following = consumeTopic(profile, topic, {
      follow: true,
      from: 'end',
      maxWaitMs: 10,
      registry,
      signal: waiter.stop.signal,
      onPositioned: positioned,
      onRecord: (record) => {
        const reply = record.value as RecommendReply | null
        if (!reply || record.key === null) return
        const resolve = waiter.waiting.get(record.key)
        if (resolve) {
          waiter.waiting.delete(record.key)
          resolve(reply)
        } else {
          // Kept for a later wait or peek (the gateway's GET); the oldest go first past the bound.
          if (waiter.early.size >= EARLY_REPLIES) waiter.early.delete(waiter.early.keys().next().value!)
          waiter.early.set(record.key, reply)
        }
      },
    })
    waiter.following.catch(() => {})
    // A reader that fails to start (topic missing, brokers down) fails the open.
    await Promise.race([ready, waiter.following.then(() => {})])
    return waiter
  }

  /** A reply that came and nobody waited for (bounded: the latest 10,000). */
  peek(requestId: string): RecommendReply | undefined {
    return this.early.get(requestId)
  }

  /** The reply to a request, or a timeout error that says whether a recommender is running. */
  async wait(requestId: string, timeoutMs: number): Promise<RecommendReply> {
    const already = this.early.get(requestId)
    if (already) return already
    let timer: NodeJS.Timeout | undefined
    try {
      return await new Promise<RecommendReply>((resolve, reject) => {
        this.waiting.set(requestId, resolve)
        timer = setTimeout(() => {
          this.waiting.delete(requestId)
          void recommenderMembers(this.profile).then(
            (members) => reject(timeoutError(requestId, timeoutMs, members)),
            () => reject(timeoutError(requestId, timeoutMs, undefined)),
          )
        }, timeoutMs)
      })
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {
    this.stop.abort()
    await this.following?.catch(() => {})
  }
}

/** How many recommenders are in their consumer group now. */
export async function recommenderMembers(profile: Profile): Promise<number> {
  const {groups} = await withAdmin(profile, (admin) => retryRetriable(() => admin.describeGroups([RECOMMENDER_GROUP])), {role: 'recommend-client'})
  return groups[0]?.members.length ?? 0
}

function timeoutError(requestId: string, timeoutMs: number, members: number | undefined): MktError {
  const waited = `No reply to request ${requestId} within ${timeoutMs / 1000} s`
  if (members === 0)
    return new MktError(
      `${waited}: no recommender is running (consumer group ${RECOMMENDER_GROUP} has no members).`,
      'Start one with `mkt recommend serve`; the request stays queued and is answered when it starts.',
      'timeout',
    )
  if (members === undefined)
    return new MktError(
      `${waited}, and the recommender group could not be checked.`,
      'Check the brokers with `mkt status` and the recommender with `mkt recommend serve`.',
      'timeout',
    )
  return new MktError(
    `${waited}: the recommender is up (${members} member(s) in ${RECOMMENDER_GROUP}) but did not answer in time.`,
    'Look at its logs and /healthz, or wait longer with --timeout.',
    'timeout',
  )
}

/** `mkt recommend`: sends one request and, with wait, returns its reply. */
export async function askForRecommendations(
  profile: Profile,
  input: RecommendInput,
  options: {wait?: boolean; timeoutMs?: number; requestsTopic?: string; resultsTopic?: string} = {},
): Promise<{request: RecommendRequest; reply?: RecommendReply}> {
  const request = recommendRequest(input)
  // The reply reader and the request producer connect at the same time: a command line call pays for set-up once.
  // DEBUG=mkt:recommend times each phase of the call.
  const phase = <T>(name: string, work: Promise<T>) => work.then((value) => (debug('mkt:recommend', name), value))
  debug('mkt:recommend', 'connecting')
  const [waiting, opening] = await Promise.allSettled([
    options.wait ? phase('reply reader positioned', ReplyWaiter.open(profile, options.resultsTopic)) : Promise.resolve(undefined),
    phase('request producer connected', openRecommendRequests(profile, options.requestsTopic)),
  ])
  const waiter = waiting.status === 'fulfilled' ? waiting.value : undefined
  try {
    if (opening.status === 'rejected') throw opening.reason
    if (waiting.status === 'rejected') {
      await opening.value.close()
      throw waiting.reason
    }
    const sink = opening.value
    sink.emit(request)
    await phase('request acknowledged', sink.flush())
    // Acknowledged (or close throws why not): the producer says goodbye while the reply is on its way.
    const closing = sink.close()
    if (!waiter || sink.pending > 0) {
      await closing
      return {request}
    }
    closing.catch(() => {})
    const reply = await phase('reply received', waiter.wait(request.request_id, options.timeoutMs ?? 10_000))
    await phase('request producer closed', closing)
    return {request, reply}
  } finally {
    await waiter?.close()
  }
}

/**
 * A long-lived client for callers that ask again and again (the HTTP
 * gateway): one reply reader and one request producer for all requests,
 * instead of a set-up per call as `mkt recommend` pays.
 */
export class RecommendClient {
  private readonly pending = new Map<string, RecommendRequest>()

  private constructor(
    private readonly waiter: ReplyWaiter,
    private readonly sink: RequestSink,
  ) {}

  static async open(profile: Profile, options: {requestsTopic?: string; resultsTopic?: string} = {}): Promise<RecommendClient> {
    const [waiter, sink] = await Promise.all([ReplyWaiter.open(profile, options.resultsTopic), openRecommendRequests(profile, options.requestsTopic)])
    return new RecommendClient(waiter, sink)
  }

  /** Sends a request once Kafka acknowledged it; waits up to waitMs for its reply (0: not at all). */
  async ask(input: RecommendInput, waitMs: number): Promise<{request: RecommendRequest; reply?: RecommendReply}> {
    const request = recommendRequest(input)
    await this.sink.write(request)
    this.remember(request)
    if (waitMs <= 0) return {request}
    const reply = await this.waiter.wait(request.request_id, waitMs).catch((error: unknown) => {
      if (error instanceof MktError && error.code === 'timeout') return undefined
      throw error
    })
    if (reply) this.pending.delete(request.request_id)
    return {request, ...(reply ? {reply} : {})}
  }

  /** A request this client sent: answered (with its reply), still pending, or unknown. */
  status(requestId: string): {status: 'answered'; reply: RecommendReply} | {status: 'pending'; request: RecommendRequest} | undefined {
    const reply = this.waiter.peek(requestId)
    if (reply) return {status: 'answered', reply}
    const request = this.pending.get(requestId)
    return request ? {status: 'pending', request} : undefined
  }

  private remember(request: RecommendRequest): void {
    if (this.pending.size >= EARLY_REPLIES) this.pending.delete(this.pending.keys().next().value!)
    this.pending.set(request.request_id, request)
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.waiter.close(), this.sink.close()])
  }
}
