import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {KafkaProducer} from '../kafka/producer.js'
import {encodeWire} from '../schema/avro.js'
import {topicValueSchema} from '../schema/subjects.js'
import {BANS_TOPIC, requestKey, type Ban, type BanRequest} from './ban.js'
import {loadBans} from './table.js'

async function produce(profile: Profile, topic: string, messages: Array<{key: string; value: Buffer | null}>): Promise<void> {
  const producer = await KafkaProducer.open(profile, {role: 'bans', lingerMs: 0, deliveryTimeoutMs: 30_000})
  try {
    await producer.send(topic, messages)
  } finally {
    await producer.close()
  }
}

export interface BanResult {
  ban: Ban
  /** True when the key was banned already and this replaced its reason. */
  updated: boolean
}

/** Bans (or re-bans with a new reason) products and SKUs; one produce request for all. */
export async function addBans(profile: Profile, requests: BanRequest[], options: {topic?: string; now?: () => string} = {}): Promise<BanResult[]> {
  const topic = options.topic ?? BANS_TOPIC
  const prepared = requests.map((request, i) => {
    const {kind, target, key} = requestKey(request, requests.length > 1 ? `Ban #${i + 1}` : 'The ban')
    const reason = request.reason?.trim()
    if (!reason)
      throw new MktError(
        `${requests.length > 1 ? `Ban #${i + 1} (${key})` : `The ban of ${key}`} has no reason.`,
        'Say why with --reason TEXT (it is shown to moderators and in the audit).',
        'usage',
      )
    const ban: Ban = {
      key,
      kind,
      target,
      reason,
      banned_at: options.now?.() ?? new Date().toISOString(),
      banned_by: request.bannedBy?.trim() || process.env.USER || 'mkt',
    }
    return ban
  })
  const [schema, existing] = await Promise.all([topicValueSchema(profile, topic, BANS_TOPIC), loadBans(profile, topic)])
  await produce(
    profile,
    topic,
    prepared.map((ban) => ({
      key: ban.key,
      value: encodeWire(schema.id, schema.type, {reason: ban.reason, banned_at: ban.banned_at, banned_by: ban.banned_by}),
    })),
  )
  return prepared.map((ban) => ({ban, updated: existing.get(ban.key) !== undefined}))
}

/** Lifts a ban with a tombstone; removing what is not banned is an error of its own. */
export async function removeBan(profile: Profile, request: BanRequest, options: {topic?: string} = {}): Promise<Ban> {
  const topic = options.topic ?? BANS_TOPIC
  const {key} = requestKey(request)
  const existing = (await loadBans(profile, topic)).get(key)
  if (!existing) throw new MktError(`${key} is not banned, so there is nothing to remove.`, 'See what is banned with `mkt ban list`.', 'notBanned')
  await produce(profile, topic, [{key, value: null}])
  return existing
}
