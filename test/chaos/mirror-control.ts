import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import {writePrivateFile} from '../../src/config/private-file.js'
import {findService, profileForLayout} from '../../src/infra/index.js'
import {readRecord} from '../../src/infra/process.js'
import {readRuntimeState} from '../../src/infra/state.js'
import {javaClientProperties, propertiesText} from '../../src/kafka/java-config.js'
import {composePath} from '../../src/package-root.js'

/** The control mirror's name for the main cluster: its topics land as control.<topic> on the analytics cluster. */
export const CONTROL_ALIAS = 'control'

/**
 * A second MirrorMaker 2 for the negative control of the exactly-once
 * mirror: the shared compose/mirror/mm2.properties with exactly-once
 * switched off (so offsets are committed apart from the records, every
 * offset.flush.interval.ms), under its own alias, as the admin, with no
 * heartbeats, checkpoints or offset syncs that could touch the real one's.
 */
export function controlMirror(stateDir: string): {start: () => void; kill: () => Promise<void>; remoteName: (topic: string) => string} {
  const layout = readRuntimeState(stateDir)!.layout
  const real = readRecord(findService(stateDir, 'mirror').dataDir)
  if (!real) throw new Error('the full stack has no MirrorMaker 2 running')
  const java = real.command[0]!
  const classpath = real.command[real.command.indexOf('-cp') + 1]!
  const log4j = real.command.find((arg) => arg.startsWith('-Dlog4j.configuration='))!
  const dir = path.join(stateDir, 'mirror-control')
  fs.mkdirSync(dir, {recursive: true})
  const shared = fs
    .readFileSync(composePath('mirror', 'mm2.properties'), 'utf8')
    .split('\n')
    .filter((line) => !/^(analytics\.exactly\.once|dedicated\.mode\.enable\.internal\.rest|emit\.)/.test(line))
    .map((line) => line.replace(/^main->analytics\./, `${CONTROL_ALIAS}->analytics.`).replace(/^analytics->main\./, `analytics->${CONTROL_ALIAS}.`))
    .map((line) => line.replace(/^main\./, `${CONTROL_ALIAS}.`))
    .join('\n')
  const connection = {
    clusters: `${CONTROL_ALIAS}, analytics`,
    ...javaClientProperties(profileForLayout(layout, 'control', 'admin', 'main'), `${CONTROL_ALIAS}.`),
    ...javaClientProperties(profileForLayout(layout, 'control', 'admin', 'analytics'), 'analytics.'),
    'analytics.exactly.once.source.support': 'disabled',
    'emit.heartbeats.enabled': 'false',
    'emit.checkpoints.enabled': 'false',
    'offset-syncs.topic.location': 'target',
  }
  const properties = path.join(dir, 'mm2.properties')
  writePrivateFile(properties, `${propertiesText(connection)}\n${shared}\n`)
  let child: ChildProcess | undefined
  return {
    remoteName: (topic) => `${CONTROL_ALIAS}.${topic}`,
    start: () => {
      const log = fs.openSync(path.join(dir, 'service.log'), 'a')
      child = spawn(java, ['-Xmx512m', log4j, '-cp', classpath, 'org.apache.kafka.connect.mirror.MirrorMaker', properties, '--clusters', 'analytics'], {
        stdio: ['ignore', log, log],
      })
      fs.closeSync(log)
    },
    kill: async () => {
      if (!child || child.exitCode !== null) return
      const exited = new Promise((resolve) => child!.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    },
  }
}
