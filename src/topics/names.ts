import {MktError} from '../errors.js'
import {loadTopicSpec} from './spec.js'

/** The platform topics the code uses, by role; each name is written once, in compose/topics.yaml. */
export const TOPIC_ROLES = [
  'shopProducts',
  'shopProductsDlq',
  'bans',
  'catalog',
  'filterEvents',
  'searches',
  'views',
  'recommendationRequests',
  'recommendationReplies',
  'recommendations',
  'categoryStats',
  'mirrorCanary',
] as const
export type TopicRole = (typeof TOPIC_ROLES)[number]

/** Role → topic name from the shipped spec; a role missing from it is a packaging bug, reported as such. */
function loadTopicNames(): Record<TopicRole, string> {
  const byRole = new Map(loadTopicSpec().topics.flatMap((t) => (t.role ? [[t.role, t.name] as const] : [])))
  const missing = TOPIC_ROLES.filter((r) => !byRole.has(r))
  if (missing.length > 0)
    throw new MktError(`compose/topics.yaml has no topic with role ${missing.join(', ')}.`, 'Restore the role keys of the shipped topic spec.', 'config')
  return Object.fromEntries(TOPIC_ROLES.map((r) => [r, byRole.get(r)!])) as Record<TopicRole, string>
}

export const TOPICS: Readonly<Record<TopicRole, string>> = Object.freeze(loadTopicNames())
