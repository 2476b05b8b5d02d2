import {setTimeout as sleep} from 'node:timers/promises'

import type {Profile} from '../config/schema.js'
import {explainKafkaError} from './errors.js'
import {ERR, RdProducer, type KafkaConsumer, type LibrdKafkaError, type Producer, type RdConfig, type TopicPartitionOffset} from './rdkafka.js'
import {rdkafkaConfig, traceRdkafka} from './rd-config.js'

export interface ProducerOptions {
  role: string
  /** Makes it a transactional producer (KIP-98, offsets with KIP-447's group metadata). */
  transactionalId?: string
  /** How long a message may wait for its acknowledgement, retries included, before it is reported failed. */
  deliveryTimeoutMs?: number
  /** Only with transactionalId: the coordinator aborts a transaction left open this long (a dead or frozen owner). */
  transactionTimeoutMs?: number
  lingerMs?: number
  connectTimeoutMs?: number
  extra?: RdConfig
}

export interface OutMessage {
  key: Buffer | string | null
  value: Buffer | null
  partition?: number
  /** As an object, or as librdkafka's list of one-key objects (which keeps repeated keys and order). */
  headers?: Record<string, Buffer | string> | Array<Record<string, Buffer | string>>
  /** Milliseconds since the epoch; the broker's time when absent. */
  timestamp?: number
}

/** Called once per message with its fate: acknowledged by every in-sync replica, or failed for good. */
export type DeliveryCallback = (error: LibrdKafkaError | null) => void

const toHeaders = (headers: OutMessage['headers']) =>
  headers === undefined || Array.isArray(headers) ? headers : Object.entries(headers).map(([k, v]) => ({[k]: v}))

function promised(run: (cb: (error: LibrdKafkaError | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((error) => (error ? reject(error) : resolve())))
}

/**
 * A transactional call that librdkafka never answers must not stall its
 * caller: seen in CI, sendOffsetsToTransaction with the group coordinator
 * SIGKILLed under it did not call back for minutes, its own timeout
 * notwithstanding. Past twice that timeout (plus a second) it fails as
 * fatal, so the caller replaces the producer (the new one's
 * initTransactions fences this one and aborts what it left open). The call
 * itself goes on (librdkafka#5456: its timeout is not enforced while the
 * coordinator is unknown) and holds the old producer until it answers.
 */
export function bounded(call: Promise<void>, timeoutMs: number, what: string): Promise<void> {
  const limit = 2 * timeoutMs + 1000
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`${what} got no answer from librdkafka within ${limit} ms`), {
        code: ERR.ERR__TIMED_OUT,
        isFatal: true,
        isRetriable: false,
        isTxnRequiresAbort: false,
      })
      reject(error)
    }, limit)
  })
  call.catch(() => {}) // its late outcome, if any, is of no interest once expired
  return Promise.race([call, expired]).finally(() => clearTimeout(timer))
}

/**
 * Producers being closed, held until librdkafka has destroyed them: one left
 * to the garbage collector would be destroyed on the main thread, which
 * then waits for whatever that destroy waits for.
 */
const closing = new Map<Promise<void>, KafkaProducer>()

/** The producers librdkafka has yet to destroy (closed while a call was still unanswered, or still flushing), with the calls each waits for. */
export function producersClosing(): Array<{role: string; calls: PendingCall[]}> {
  return [...closing.values()].map((producer) => ({role: producer.role, calls: producer.pendingCalls()}))
}

/** Settles once every producer closed so far is destroyed: a process that exits before leaves librdkafka threads running under exit. */
export async function producersClosed(): Promise<void> {
  while (closing.size > 0) await Promise.allSettled([...closing.keys()])
}

/** A librdkafka call that has not called back yet. */
export interface PendingCall {
  call: string
  waitingMs: number
}

/**
 * An idempotent, acks=all, LZ4 producer. Every produce path of the platform
 * uses this one: librdkafka keeps sequence numbers across retries and leader
 * changes (KIP-360 epoch bumps), so an acknowledged message is written once
 * and an unacknowledged one is reported as failed, never silently dropped.
 */
export class KafkaProducer {
  private closed = false
  /** librdkafka calls that have not called back yet, each holding a libuv thread, with their name and start. */
  private readonly inFlight = new Map<Promise<void>, {call: string; since: number}>()

  private constructor(
    readonly raw: Producer,
    readonly role: string,
    private readonly profile: Profile,
    private readonly transactionalId: string | undefined,
  ) {}

  static async open(profile: Profile, options: ProducerOptions): Promise<KafkaProducer> {
    const transactionTimeoutMs = options.transactionTimeoutMs ?? 10_000
    // librdkafka refuses a message timeout longer than the transaction timeout.
    const deliveryTimeoutMs = options.transactionalId
      ? Math.min(options.deliveryTimeoutMs ?? transactionTimeoutMs, transactionTimeoutMs)
      : (options.deliveryTimeoutMs ?? 60_000)
    const config: RdConfig = {
      ...rdkafkaConfig(profile, options.role),
      'enable.idempotence': true,
      acks: 'all',
      'compression.codec': 'lz4',
      'linger.ms': options.lingerMs ?? 5,
      'batch.size': 1_000_000,
      'queue.buffering.max.messages': 500_000,
      'message.timeout.ms': deliveryTimeoutMs,
      'allow.auto.create.topics': false,
      // Java-compatible key hashing for messages without an explicit partition.
      partitioner: 'murmur2_random',
      dr_cb: true,
      ...(options.transactionalId
        ? {
            'transactional.id': options.transactionalId,
            'transaction.timeout.ms': transactionTimeoutMs,
            // A call waiting for a group coordinator librdkafka has lost track of is looked at again only when a
            // connection goes up or down (librdkafka#5511): idle connections closing keep that happening.
            'connections.max.idle.ms': 20_000,
          }
        : {}),
      ...options.extra,
    }
    const raw = new RdProducer(config as never)
    raw.on('delivery-report', (error, report) => (report.opaque as DeliveryCallback | undefined)?.(error ?? null))
    raw.on('event.error', () => {}) // transport errors are retried by librdkafka; failures surface per message
    traceRdkafka(raw, options.role)
    const producer = new KafkaProducer(raw, options.role, profile, options.transactionalId)
    try {
      await new Promise<void>((resolve, reject) => raw.connect({timeout: options.connectTimeoutMs ?? 10_000}, (error) => (error ? reject(error) : resolve())))
      raw.setPollInBackground(true)
      if (options.transactionalId) await producer.call('initTransactions', (cb) => raw.initTransactions(options.connectTimeoutMs ?? 30_000, cb))
    } catch (error) {
      await producer.close().catch(() => {})
      throw explainKafkaError(error, profile, {operation: 'write', ...(options.transactionalId ? {transactionalId: options.transactionalId} : {})})
    }
    return producer
  }

  /** Queues one message; waits while librdkafka's queue is full. */
  async produce(topic: string, message: OutMessage, onDelivery: DeliveryCallback): Promise<void> {
    for (;;) {
      try {
        this.raw.produce(
          topic,
          message.partition ?? -1,
          message.value,
          message.key ?? undefined,
          message.timestamp ?? null,
          onDelivery,
          toHeaders(message.headers),
        )
        return
      } catch (error) {
        if ((error as LibrdKafkaError).code !== ERR.ERR__QUEUE_FULL) throw error
        await sleep(5)
      }
    }
  }

  /** Produces the messages and resolves when all are acknowledged; rejects with the first failure. */
  async send(topic: string, messages: OutMessage[]): Promise<void> {
    if (messages.length === 0) return
    let failure: LibrdKafkaError | undefined
    let left = messages.length
    let done!: () => void
    const acknowledged = new Promise<void>((resolve) => (done = resolve))
    const onDelivery: DeliveryCallback = (error) => {
      failure ??= error ?? undefined
      if (--left === 0) done()
    }
    for (const message of messages) await this.produce(topic, message, onDelivery)
    await acknowledged
    if (failure)
      throw explainKafkaError(failure, this.profile, {operation: 'write', topic, ...(this.transactionalId ? {transactionalId: this.transactionalId} : {})})
  }

  /** A librdkafka call, remembered until it calls back: close() never destroys the client under one. */
  private call(name: string, run: (cb: (error: LibrdKafkaError | null | undefined) => void) => void): Promise<void> {
    const call = promised(run)
    this.inFlight.set(call, {call: name, since: Date.now()})
    const forget = () => void this.inFlight.delete(call)
    call.then(forget, forget)
    return call
  }

  pendingCalls(): PendingCall[] {
    return [...this.inFlight.values()].map(({call, since}) => ({call, waitingMs: Date.now() - since}))
  }

  flush(timeoutMs = 30_000): Promise<void> {
    return this.call('flush', (cb) => this.raw.flush(timeoutMs, cb))
  }

  begin(): Promise<void> {
    return this.call('beginTransaction', (cb) => this.raw.beginTransaction(cb))
  }

  /** KIP-447: the offsets commit with the consumer's group generation, so a member that lost its partitions cannot commit them. */
  sendOffsets(offsets: TopicPartitionOffset[], consumer: KafkaConsumer, timeoutMs = 30_000): Promise<void> {
    return bounded(
      this.call('sendOffsetsToTransaction', (cb) => this.raw.sendOffsetsToTransaction(offsets, consumer, timeoutMs, cb)),
      timeoutMs,
      'sendOffsetsToTransaction',
    )
  }

  commit(timeoutMs = 30_000): Promise<void> {
    return bounded(
      this.call('commitTransaction', (cb) => this.raw.commitTransaction(timeoutMs, cb)),
      timeoutMs,
      'commitTransaction',
    )
  }

  abort(timeoutMs = 30_000): Promise<void> {
    return bounded(
      this.call('abortTransaction', (cb) => this.raw.abortTransaction(timeoutMs, cb)),
      timeoutMs,
      'abortTransaction',
    )
  }

  /**
   * Waits for what is queued (up to timeoutMs), then disconnects. librdkafka's
   * destroy of a producer whose broker just died can wait for its requests to
   * time out (a minute, or more for a transactional one whose coordinator is
   * gone), which would stall whoever awaits it: the wait is bounded, and the
   * destroy finishes on its own. A call still in flight (one that bounded()
   * gave up on) is waited for before the destroy: librdkafka destroyed under
   * a transactional call deadlocks both (CI: the call's thread then held
   * the process at exit forever).
   */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return
    this.closed = true
    const done = (async () => {
      await Promise.allSettled([...this.inFlight.keys()])
      if (this.raw.isConnected()) await this.flush(timeoutMs).catch(() => {})
      await this.call('disconnect', (cb) => this.raw.disconnect(timeoutMs, () => cb(null)))
    })().catch(() => {}) // "Producer not connected": one that never connected has nothing to destroy
    closing.set(done, this)
    void done.finally(() => closing.delete(done))
    await Promise.race([done, sleep(2 * timeoutMs + 1000, undefined, {ref: false})])
  }
}
