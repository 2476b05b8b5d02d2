import {MktError} from '../errors.js'

/** User and product ids in client events: 1–64 letters, digits or . _ : @ - (any script). */
export const EVENT_ID = /^[\p{L}\p{N}._:@-]{1,64}$/u

/** Checks a user id wherever one is given (--user, a request, a view); the same rule everywhere. */
export function checkUserId(userId: string | undefined, flag = '--user'): string {
  const id = userId?.trim() ?? ''
  if (!EVENT_ID.test(id)) throw new MktError(`${flag} must be 1-64 letters, digits or . _ : @ -, got "${userId ?? ''}".`, `For example ${flag} u42.`, 'usage')
  return id
}
