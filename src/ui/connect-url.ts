import {DEFAULT_CONNECT_URL} from '../config/resolve.js'
import type {Profile} from '../config/schema.js'

/** --connect-url > MKT_CONNECT_URL / the profile's connectUrl > the local default. */
export function connectUrlFor(profile: Profile, flag: string | undefined): string {
  return flag ?? profile.connectUrl ?? DEFAULT_CONNECT_URL
}
