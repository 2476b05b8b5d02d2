import type {TestProject} from 'vitest/node'

import {provideRuntime} from '../helpers/runtime.js'

/** The chaos suite's own runtime: the full stack on three brokers (replication 3, min.insync.replicas 2), so that one can die, with the analytics cluster, MirrorMaker 2 and Connect. */
export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return provideRuntime(project, {brokers: 3, name: 'chaos', stack: 'full'})
}
