import type {TestProject} from 'vitest/node'

import {provideRuntime} from '../helpers/runtime.js'

/** One single-broker runtime for the whole integration run. */
export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return provideRuntime(project, {brokers: 1, name: 'it'})
}
