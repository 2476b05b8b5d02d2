import type {TestProject} from 'vitest/node'

import {provideRuntime} from '../helpers/runtime.js'

/** The chaos suite's own runtime: three brokers (replication 3, min.insync.replicas 2), so that one can die. */
export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return provideRuntime(project, {brokers: 3, name: 'chaos'})
}
