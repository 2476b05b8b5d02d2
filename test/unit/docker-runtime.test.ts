import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {chooseRuntime} from '../../src/infra/runtime.js'
import {composePath} from '../../src/package-root.js'
import {SCRAM_USERS} from '../../src/security/principals.js'
import {runCli} from '../helpers/cli.js'

// This machine has Docker's client but no engine, so `--runtime docker` is driven here against a
// stand-in `docker` on PATH that records each call and answers as Compose v2 does. What this checks is
// mkt's side: the calls it makes, what it does with the answers, and its errors; the compose file
// itself is checked in compose.test.ts.

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-docker-'))
const bin = path.join(root, 'bin')
const calls = path.join(root, 'calls.log')
fs.mkdirSync(bin)
fs.writeFileSync(
  path.join(bin, 'docker'),
  `#!/usr/bin/env bash
echo "COMPOSE_PROFILES=\${COMPOSE_PROFILES-unset} $*" >> ${JSON.stringify(calls)}
if [ "$1" = info ]; then [ "\${FAKE_ENGINE:-up}" = up ] && { echo 27.3.1; exit 0; }; echo 'Cannot connect to the Docker daemon' >&2; exit 1; fi
[ "$1" = compose ] || exit 64
shift
[ "$1" = version ] && { echo 'Docker Compose version v2.29.7'; exit 0; }
while [ "$1" = -f ] || [ "$1" = -p ]; do shift 2; done
case "$1" in
  up) echo ' Container mkt-kafka-1-1  Healthy'; exit 0 ;;
  cp) src="\${2#mkt-init:}"; printf 'secret of %s\\n' "$(basename "$src")" > "$3"; exit 0 ;;
  ps) echo '{"Service":"kafka-1","State":"running","Health":"healthy","Publishers":[{"URL":"0.0.0.0","TargetPort":19092,"PublishedPort":9092}]}'
      echo '{"Service":"mkt-init","State":"exited","ExitCode":0,"Publishers":[]}'; exit 0 ;;
  down) exit 0 ;;
  logs) echo 'kafka-1  | [KafkaServer id=1] started'; exit 0 ;;
esac
exit 64
`,
  {mode: 0o755},
)
const env = (extra: Record<string, string> = {}) => ({
  PATH: `${bin}:${process.env.PATH}`,
  MKT_CONFIG: path.join(root, 'config.yaml'),
  MKT_PROFILE: undefined,
  MKT_STATE_DIR: undefined,
  ...extra,
})
const recorded = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : [])
afterAll(() => fs.rmSync(root, {recursive: true, force: true}))

// Each test runs the CLI several times: more than the unit tests' default 5 s on a busy machine.
describe('mkt infra --runtime docker (against a recording docker CLI)', {timeout: 120_000}, () => {
  it('brings the stack up with compose, copies the secrets out 0600 and writes the profiles for the published ports', async () => {
    const stateDir = path.join(root, 'state-up')
    const up = await runCli(['infra', 'up', '--runtime', 'docker', '--stack', 'full', '--state-dir', stateDir, '--profile', 'dock', '--json'], env())
    expect(up.code, up.stderr).toBe(0)
    expect(up.json()).toMatchObject({runtime: 'docker', stack: 'full', profileName: 'dock'})
    const file = composePath('docker-compose.yml')
    expect(recorded()).toContain(`COMPOSE_PROFILES=full compose -f ${file} -p mkt up -d --wait --build`)
    expect(recorded().filter((c) => c.includes(' cp mkt-init:/var/lib/mkt/secrets/'))).toHaveLength(SCRAM_USERS.length)

    const config = YAML.parse(fs.readFileSync(path.join(root, 'config.yaml'), 'utf8')) as {
      current: string
      profiles: Record<string, {brokers: string[]; runtime: string; schemaRegistry: {url: string}; sasl: {username: string; passwordFile: string}}>
    }
    expect(config.current).toBe('dock')
    expect(config.profiles.dock).toMatchObject({brokers: ['127.0.0.1:9092', '127.0.0.1:9094', '127.0.0.1:9096'], runtime: 'docker'})
    expect(config.profiles.dock!.schemaRegistry.url).toBe('http://127.0.0.1:8081/apis/ccompat/v7')
    expect(config.profiles['dock-analytics']!.brokers).toEqual(['127.0.0.1:9192'])
    const filter = config.profiles['dock:filter']!
    expect(filter.sasl.username).toBe('filter')
    expect(fs.readFileSync(filter.sasl.passwordFile, 'utf8')).toBe('secret of filter.password\n')
    expect(fs.statSync(filter.sasl.passwordFile).mode & 0o777).toBe(0o600)
    expect(fs.readFileSync(path.join(stateDir, 'certs', 'ca.pem'), 'utf8')).toBe('secret of ca.pem\n')

    // The state dir remembers the runtime: status, logs and down need no --runtime.
    const status = await runCli(['infra', 'status', '--state-dir', stateDir, '--json'], env())
    expect(status.code, status.stderr).toBe(0)
    expect(status.json()).toMatchObject({
      runtime: 'docker',
      stack: 'full',
      services: [
        {name: 'kafka-1', state: 'running', health: 'healthy', ports: ['9092->19092']},
        {name: 'mkt-init', state: 'exited', exitCode: 0},
      ],
    })
    const logs = await runCli(['infra', 'logs', 'kafka-1', '--state-dir', stateDir, '-n', '20'], env())
    expect(logs.stdout).toContain('[KafkaServer id=1] started')
    expect(recorded().at(-1)).toBe(`COMPOSE_PROFILES=full compose -f ${file} -p mkt logs --no-color --tail 20 kafka-1`)

    // A deployment keeps its stack; a local runtime may not share its state dir.
    const shrink = await runCli(['infra', 'up', '--runtime', 'docker', '--stack', 'core', '--state-dir', stateDir, '--profile', 'dock'], env())
    expect(shrink.code).toBe(2)
    expect(shrink.stderr).toContain('runs the full stack; it cannot become the core one')
    const local = await runCli(['infra', 'up', '--runtime', 'local', '--state-dir', stateDir, '--profile', 'dock'], env())
    expect(local.code).toBe(2)
    expect(local.stderr).toContain('belongs to a compose deployment')

    const down = await runCli(['infra', 'down', '--state-dir', stateDir, '--purge'], env())
    expect(down.code, down.stderr).toBe(0)
    expect(recorded().at(-1)).toBe(`COMPOSE_PROFILES=full compose -f ${file} -p mkt down --volumes`)
    expect(fs.existsSync(stateDir)).toBe(false)
  })

  it('says so when no engine answers, and refuses what the compose deployment cannot do', async () => {
    const stateDir = path.join(root, 'state-refused')
    const noEngine = await runCli(['infra', 'up', '--runtime', 'docker', '--state-dir', stateDir], env({FAKE_ENGINE: 'down'}))
    expect(noEngine.code).toBe(5)
    expect(noEngine.stderr).toContain('The docker runtime needs a Docker engine, and `docker info` gets no answer from one.')
    for (const flags of [['--kafka-port', '19092'], ['--insecure'], ['--brokers', '3']]) {
      const refused = await runCli(['infra', 'up', '--runtime', 'docker', '--state-dir', stateDir, ...flags], env())
      expect(refused.code, flags.join(' ')).toBe(2)
      expect(refused.stderr).toContain('The compose deployment has fixed ports')
    }
  })

  it('--runtime auto picks docker only when an engine answers', async () => {
    const empty = fs.mkdtempSync(path.join(root, 'auto-'))
    const previous = process.env.PATH
    process.env.PATH = `${bin}:${previous}`
    try {
      process.env.FAKE_ENGINE = 'down'
      expect(await chooseRuntime('auto', empty, true)).toBe('local')
      process.env.FAKE_ENGINE = 'up'
      expect(await chooseRuntime('auto', empty, true)).toBe('docker')
      expect(await chooseRuntime('auto', empty, false)).toBe('local') // status/logs/down act on what exists
    } finally {
      process.env.PATH = previous
      delete process.env.FAKE_ENGINE
    }
  })
})
