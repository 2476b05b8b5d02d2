import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {retryRetriable} from './client.js'
import {explainKafkaError, topicsNotFound} from './errors.js'
import type {Admin} from './kafkajs.js'

/**
 * Fails unless every topic is there for this principal. A listing hides the
 * topics an ACL does not let the principal describe, so for a missing one
 * the brokers are asked by name: TOPIC_AUTHORIZATION_FAILED becomes "not
 * allowed to <operation> topic X" (exit 15), anything else "does not exist".
 */
export async function requireTopics(admin: Admin, profile: Profile, topics: string[], operation: string, hint: string): Promise<void> {
  const listed = new Set(await retryRetriable(() => admin.listTopics()))
  const missing = topics.filter((t) => !listed.has(t))
  if (missing.length === 0) return
  if (profile.sasl) {
    for (const topic of missing) {
      try {
        await admin.fetchTopicMetadata({topics: [topic]})
      } catch (error) {
        const explained = explainKafkaError(error, profile, {operation, topic})
        if (explained instanceof MktError && explained.code === 'denied') throw explained
      }
    }
  }
  throw topicsNotFound(missing, profile, hint)
}
