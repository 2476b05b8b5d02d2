import {randomUUID} from 'node:crypto'

import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {checkUserId, EVENT_ID} from '../events/ids.js'
import {EventSink} from '../events/sink.js'
import {TOPICS} from '../topics/names.js'

export const VIEWS_TOPIC = TOPICS.views

/** A product view as written to client-views (compose/schemas/view-event.avsc). */
export interface ViewEvent {
  event_id: string
  user_id: string
  product_id: string
  source: string
  viewed_at: string
}

export function viewEvent(userId: string, productId: string, source = 'cli'): ViewEvent {
  const product = productId.trim()
  if (!EVENT_ID.test(product))
    throw new MktError(`The product id must be 1-64 letters, digits or . _ : @ -, got "${productId}".`, 'For example: mkt view 12345 --user u42.', 'usage')
  return {event_id: randomUUID(), user_id: checkUserId(userId), product_id: product, source, viewed_at: new Date().toISOString()}
}

export type ViewEventSink = EventSink<ViewEvent>

export function openViewEvents(profile: Profile, topic = VIEWS_TOPIC): Promise<ViewEventSink> {
  return EventSink.open<ViewEvent>(profile, {topic, schemaTopic: VIEWS_TOPIC, key: (e) => e.user_id, role: 'client'})
}

/** `mkt view`: records one view and returns it once Kafka acknowledged it. */
export async function recordView(profile: Profile, userId: string, productId: string, options: {topic?: string} = {}): Promise<ViewEvent> {
  const event = viewEvent(userId, productId)
  const sink = await openViewEvents(profile, options.topic)
  sink.emit(event)
  await sink.close()
  return event
}
