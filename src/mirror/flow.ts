import fs from 'node:fs'

import {MktError} from '../errors.js'
import {composePath} from '../package-root.js'

/** The one flow of compose/mirror/mm2.properties: which topics go from which cluster alias to which, under what names. */
export interface MirrorFlow {
  source: string
  target: string
  topics: string[]
  /** The name a source topic has on the target (DefaultReplicationPolicy: <source>.<topic>). */
  remoteName(topic: string): string
  /** MirrorMaker's own topics: on the target, its worker's offsets (where each source partition was mirrored up to). */
  offsetsTopic: string
}

/** key=value lines of a .properties file (no continuation lines: the shared file has none). */
export function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith('!')) continue
    const at = line.search(/[=:]/)
    if (at < 0) continue
    props.set(line.slice(0, at).trim(), line.slice(at + 1).trim())
  }
  return props
}

export function loadMirrorFlow(file = composePath('mirror', 'mm2.properties')): MirrorFlow {
  const props = parseProperties(fs.readFileSync(file, 'utf8'))
  const flow = [...props.keys()].find((k) => /^[^.]+->[^.]+\.enabled$/.test(k) && props.get(k) === 'true')
  if (!flow) throw new MktError(`${file} enables no flow (source->target.enabled=true).`, 'Restore the shipped compose/mirror/mm2.properties.', 'config')
  const [source, target] = flow.replace(/\.enabled$/, '').split('->') as [string, string]
  const topics = (props.get(`${source}->${target}.topics`) ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
  const identity = (props.get('replication.policy.class') ?? '').endsWith('IdentityReplicationPolicy')
  const separator = props.get('replication.policy.separator') ?? '.'
  return {
    source,
    target,
    topics,
    remoteName: (topic) => (identity ? topic : `${source}${separator}${topic}`),
    offsetsTopic: `mm2-offsets.${source}.internal`,
  }
}
