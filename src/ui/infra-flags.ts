import {Flags} from '@oclif/core'

import type {LayoutOverrides} from '../infra/index.js'

/** Which runtime down/status/logs act on; auto: what the state dir holds. */
export const runtimeFlag = Flags.option({
  options: ['auto', 'local', 'docker'] as const,
  default: 'auto',
  description: 'auto: the runtime the state dir holds (a compose deployment or local processes).',
  helpGroup: 'RUNTIME',
})()

/** Flags shared by the infra commands. */
export const stateDirFlag = Flags.string({
  description: "Where the local runtime keeps data, logs and pid files (default: the profile's, else ~/.local/state/mkt; MKT_STATE_DIR).",
  helpGroup: 'RUNTIME',
})

/** The ports `infra up` can move; each defaults to what the runtime used before, else the layout's default. */
export const runtimePortFlags = {
  'kafka-port': Flags.integer({
    description: 'Client port of the first broker (default 9092, or what the runtime used before); broker i uses port+2i, its controller port+2i+1.',
    min: 1024,
    max: 65_000,
    helpGroup: 'PORTS',
  }),
  'registry-port': Flags.integer({
    description: 'HTTP port of the schema registry (default 8081, or what the runtime used before).',
    min: 1024,
    max: 65_535,
    helpGroup: 'PORTS',
  }),
  'analytics-port': Flags.integer({
    description: 'Full stack: client port of the analytics cluster (default 9192; its controller +1).',
    min: 1024,
    max: 65_000,
    helpGroup: 'PORTS',
  }),
  'connect-port': Flags.integer({description: "Full stack: Kafka Connect's REST port (default 8083).", min: 1024, max: 65_535, helpGroup: 'PORTS'}),
  'mirror-port': Flags.integer({description: "Full stack: MirrorMaker 2's internal REST port (default 8084).", min: 1024, max: 65_535, helpGroup: 'PORTS'}),
  'exporter-port': Flags.integer({
    description: "First port of the JVMs' Prometheus exporters (default 7071): kafka-N on +N-1, analytics-1 +3, Connect +4, MirrorMaker 2 +5.",
    min: 1024,
    max: 65_000,
    helpGroup: 'PORTS',
  }),
  'prometheus-port': Flags.integer({description: "Full stack: Prometheus's web port (default 9090).", min: 1024, max: 65_535, helpGroup: 'PORTS'}),
  'alertmanager-port': Flags.integer({
    description: "Full stack: Alertmanager's web port (default 9099; 9093 is the first broker's controller).",
    min: 1024,
    max: 65_535,
    helpGroup: 'PORTS',
  }),
  'spark-port': Flags.integer({
    description: "Full stack: the Spark master's port (default 7077); its web UI on +1, the worker on +2, the worker's web UI on +3.",
    min: 1024,
    max: 65_000,
    helpGroup: 'PORTS',
  }),
  'hdfs-port': Flags.integer({
    description: "Full stack: the HDFS NameNode's RPC port (default 8020); its web UI on +1, the DataNode's data, IPC and web ports on +2, +3, +4.",
    min: 1024,
    max: 65_000,
    helpGroup: 'PORTS',
  }),
}

type PortFlags = {[K in keyof typeof runtimePortFlags]?: number}

const PORT_FIELDS: Record<keyof typeof runtimePortFlags, keyof LayoutOverrides> = {
  'kafka-port': 'kafkaPort',
  'registry-port': 'registryPort',
  'analytics-port': 'analyticsPort',
  'connect-port': 'connectPort',
  'mirror-port': 'mirrorPort',
  'exporter-port': 'metricsPort',
  'prometheus-port': 'prometheusPort',
  'alertmanager-port': 'alertmanagerPort',
  'spark-port': 'sparkPort',
  'hdfs-port': 'hdfsPort',
}

/** The layout overrides of the port flags that were given. */
export function portOverrides(flags: PortFlags): LayoutOverrides {
  return Object.fromEntries(
    Object.entries(PORT_FIELDS).flatMap(([flag, field]) => {
      const value = flags[flag as keyof PortFlags]
      return value === undefined ? [] : [[field, value]]
    }),
  )
}
