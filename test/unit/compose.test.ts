import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {DEFAULT_LAYOUT} from '../../src/infra/graph.js'
import {CONTAINER_STATE, composeBrokers, publishedConnection, publishedPorts, type ComposeStack} from '../../src/infra/docker/network.js'
import {CONTAINER_PROFILE, renderComposeState} from '../../src/infra/docker/render.js'
import {resolveArtifact} from '../../src/infra/artifacts.js'
import {composePath, packageRoot} from '../../src/package-root.js'
import {SCRAM_USERS, SERVICE_PRINCIPALS} from '../../src/security/principals.js'

// compose/docker-compose.yml cannot run here (no Docker engine), so it is checked statically: loaded and
// validated as `docker compose config` does (compose-go: the Compose Specification's schema, interpolation,
// consistency), then held against what the local runtime and `mkt infra compose-render` produce.

const toolsDir = process.env.MKT_TOOLS_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'mkt', 'tools')
const composeConfig = path.join(toolsDir, 'compose-config', 'compose-config')
const composeFile = composePath('docker-compose.yml')

interface Mount {
  type: 'volume' | 'bind'
  source: string
  target: string
  read_only?: boolean
  volume?: {subpath?: string}
}
interface Service {
  image: string
  build?: {context: string; dockerfile: string}
  command?: string[] | null
  entrypoint?: string[] | null
  environment?: Record<string, string | null>
  volumes?: Mount[]
  ports?: Array<{published: string; target: number}>
  healthcheck?: {test: string[]}
  depends_on?: Record<string, {condition: string; required: boolean}>
  restart?: string
  user?: string
  profiles?: string[]
}
interface Project {
  services: Record<string, Service>
  volumes: Record<string, unknown>
}

function load(stack: ComposeStack, extraEnv: Record<string, string> = {}): Project {
  if (!fs.existsSync(composeConfig)) throw new Error(`${composeConfig} is missing: run scripts/install-test-tools.sh (needs Go 1.24+)`)
  const out = execFileSync(composeConfig, ['-f', composeFile, ...(stack === 'full' ? ['-profile', 'full'] : [])], {
    env: {...process.env, COMPOSE_PROFILES: stack === 'full' ? 'full' : '', ...extraEnv},
    encoding: 'utf8',
  })
  return JSON.parse(out) as Project
}

const oneShot = (s: Service) => s.restart === 'no'
const stateRoots: Record<string, string> = {}

beforeAll(async () => {
  for (const stack of ['core', 'full'] as const) {
    stateRoots[stack] = fs.mkdtempSync(path.join(os.tmpdir(), `mkt-compose-${stack}-`))
    await renderComposeState({stateDir: stateRoots[stack], stack, advertisedHost: '127.0.0.1', env: {}})
  }
}, 120_000)
afterAll(() => {
  for (const dir of Object.values(stateRoots)) fs.rmSync(dir, {recursive: true, force: true})
})

describe('compose/docker-compose.yml', () => {
  it('is a valid Compose file for both stacks, and a service of an unknown key is refused (the check has teeth)', () => {
    expect(Object.keys(load('core').services).sort()).toEqual(
      ['filter', 'gateway', 'indexer', 'kafka-1', 'kafka-1-format', 'kafka-setup', 'mkt-init', 'recommender', 'registry'].sort(),
    )
    const full = Object.keys(load('full').services)
    for (const service of ['kafka-2', 'kafka-3', 'analytics-1', 'mirror', 'connect', 'connect-setup', 'spark-master', 'spark-worker', 'analytics'])
      expect(full).toContain(service)
    for (const service of ['hdfs-namenode', 'hdfs-datanode', 'prometheus', 'alertmanager', 'grafana', 'kafka-ui']) expect(full).toContain(service)

    const broken = path.join(os.tmpdir(), `mkt-compose-broken-${process.pid}.yml`)
    fs.writeFileSync(broken, fs.readFileSync(composeFile, 'utf8').replace('  registry:\n', '  registry:\n    bogus: 1\n'))
    try {
      expect(() => execFileSync(composeConfig, ['-f', broken], {encoding: 'utf8', stdio: 'pipe'})).toThrow(/bogus/)
    } finally {
      fs.rmSync(broken)
    }
  })

  it('pins every image, builds mkt from this repository, and mounts only files that exist', () => {
    const version = (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {version: string}).version
    for (const [name, service] of Object.entries(load('full').services)) {
      const [repo, tag] = service.image.split(/:(?=[^:/]+$)/)
      expect(tag, `${name}: ${service.image} has no tag`).toBeTruthy()
      expect(tag, `${name}: ${service.image}`).not.toMatch(/^latest$|^stable$/)
      expect(tag, `${name}: ${service.image} names no version`).toMatch(/\d/)
      if (service.build) {
        expect(repo).toBe('mkt')
        expect(tag).toBe(version)
        expect(fs.existsSync(path.join(service.build.context, service.build.dockerfile)), `${name}: its Dockerfile`).toBe(true)
        expect(fs.realpathSync(service.build.context)).toBe(fs.realpathSync(packageRoot()))
      }
      for (const mount of service.volumes ?? []) {
        if (mount.type === 'bind') expect(fs.existsSync(mount.source), `${name} mounts ${mount.source}`).toBe(true)
        if (mount.type === 'bind') expect(mount.read_only, `${name} mounts ${mount.source} writable`).toBe(true)
      }
    }
  })

  it('gives every long-running service a health check, and makes what depends on it wait for it', () => {
    for (const stack of ['core', 'full'] as const) {
      const {services} = load(stack)
      for (const [name, service] of Object.entries(services)) {
        if (!oneShot(service)) expect(service.healthcheck?.test, `${name} (${stack}) has no health check`).toBeDefined()
        for (const [dependency, {condition, required}] of Object.entries(service.depends_on ?? {})) {
          const target = services[dependency]
          if (!target) {
            expect(required, `${name} needs ${dependency}, which the ${stack} stack does not run`).toBe(false)
            continue
          }
          expect(condition, `${name} → ${dependency}`).toBe(oneShot(target) ? 'service_completed_successfully' : 'service_healthy')
        }
      }
    }
  })

  it('publishes the local runtime’s ports, and the profiles mkt writes for it name them', () => {
    for (const stack of ['core', 'full'] as const) {
      const {services} = load(stack)
      const published = Object.fromEntries(
        Object.entries(services)
          .filter(([, s]) => (s.ports ?? []).length > 0)
          .map(([name, s]) => [name, s.ports!.map((p) => [Number(p.published), p.target])]),
      )
      expect(published).toEqual(publishedPorts(stack))
    }
    // The brokers' published ports are the local runtime's defaults, and what the host profile connects to.
    expect(publishedPorts('full')['kafka-1']![0]![0]).toBe(DEFAULT_LAYOUT.kafkaPort)
    expect(publishedPorts('full')['analytics-1']![0]![0]).toBe(DEFAULT_LAYOUT.analyticsPort)
    expect(publishedPorts('full').registry![0]![0]).toBe(DEFAULT_LAYOUT.registryPort)
    expect(publishedConnection('full', '127.0.0.1').brokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9094', '127.0.0.1:9096'])
    expect(publishedConnection('full', '127.0.0.1', 'analytics').brokers).toEqual(['127.0.0.1:9192'])
  })

  it('names in its commands, health checks and mounts only state files that mkt-init renders', () => {
    for (const stack of ['core', 'full'] as const) {
      const root = stateRoots[stack]!
      for (const [name, service] of Object.entries(load(stack).services)) {
        const env = service.environment ?? {}
        const texts = [...(service.command ?? []), ...(service.entrypoint ?? []), ...(service.healthcheck?.test ?? []), ...Object.values(env).map(String)]
        for (const text of texts)
          for (const [found] of text.replaceAll('$MKT_NODE', env.MKT_NODE ?? '$MKT_NODE').matchAll(/\/var\/lib\/mkt\/[\w./-]+/g)) {
            if (found.endsWith('/last-run.json')) continue // written by the job's first run
            const local = path.join(root, path.relative(CONTAINER_STATE, found))
            expect(fs.existsSync(local), `${name} (${stack}) names ${found}, which mkt-init does not render`).toBe(true)
          }
        for (const mount of service.volumes ?? [])
          if (mount.source === 'mkt-state' && mount.volume?.subpath)
            expect(fs.statSync(path.join(root, mount.volume.subpath)).isDirectory(), `${name} mounts ${mount.volume.subpath}`).toBe(true)
      }
    }
  })

  it('runs each broker from rendered properties whose node ids, quorum and listeners match the compose services', () => {
    for (const stack of ['core', 'full'] as const) {
      const {services} = load(stack)
      for (const broker of composeBrokers(stack)) {
        const text = fs.readFileSync(path.join(stateRoots[stack]!, 'docker', broker.name, 'server.properties'), 'utf8')
        const props = Object.fromEntries(
          text
            .split('\n')
            .filter((l) => l.includes('=') && !l.startsWith('#'))
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        )
        const peers = composeBrokers(stack).filter((b) => b.cluster === broker.cluster)
        expect(props['node.id']).toBe(String(peers.indexOf(peers.find((p) => p.name === broker.name)!) + 1))
        expect(props['controller.quorum.voters']).toBe(peers.map((p, i) => `${i + 1}@${p.name}:9093`).join(','))
        expect(props['advertised.listeners']).toBe(`SASL_SSL://${broker.name}:9092,EXTERNAL://127.0.0.1:${broker.published}`)
        expect(props['min.insync.replicas']).toBe(peers.length >= 3 ? '2' : '1')
        expect(services[broker.name]!.command).toEqual(['/opt/kafka/bin/kafka-server-start.sh', `${CONTAINER_STATE}/docker/${broker.name}/server.properties`])
        expect(services[broker.name]!.ports).toEqual([expect.objectContaining({published: String(broker.published), target: 19092})])
      }
    }
  })

  it('gives the containers a profile per principal, each with the password mkt-init generated', () => {
    const config = YAML.parse(fs.readFileSync(path.join(stateRoots.full!, 'config.yaml'), 'utf8')) as {
      profiles: Record<string, {brokers: string[]; sasl: {username: string; passwordFile: string}}>
    }
    for (const principal of SERVICE_PRINCIPALS) {
      const profile = config.profiles[`${CONTAINER_PROFILE}:${principal}`]!
      expect(profile.sasl.username).toBe(principal)
      expect(profile.sasl.passwordFile.startsWith(stateRoots.full!)).toBe(true)
      expect(fs.existsSync(profile.sasl.passwordFile)).toBe(true)
    }
    expect(config.profiles[CONTAINER_PROFILE]!.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092', 'kafka-3:9092'])
    expect(config.profiles[`${CONTAINER_PROFILE}-analytics`]!.brokers).toEqual(['analytics-1:9092'])
    for (const user of SCRAM_USERS) expect(fs.statSync(path.join(stateRoots.full!, 'secrets', `${user}.password`)).mode & 0o777).toBe(0o640)
    expect(fs.statSync(path.join(stateRoots.full!, 'certs', 'ca-key.pem')).mode & 0o777).toBe(0o600)
    // The services' MKT_PROFILE is that profile, and no compose value holds a secret.
    const text = fs.readFileSync(composeFile, 'utf8')
    for (const user of SCRAM_USERS) expect(text).not.toContain(fs.readFileSync(path.join(stateRoots.full!, 'secrets', `${user}.password`), 'utf8').trim())
    for (const [name, service] of Object.entries(load('full').services))
      if (service.image.startsWith('mkt:')) expect(service.environment?.MKT_PROFILE, name).toBe(CONTAINER_PROFILE)
  })

  it("lets Kafka's own storage tool format each broker from its rendered arguments (SCRAM users included)", async () => {
    const kafka = await resolveArtifact('kafka')
    for (const broker of composeBrokers('full')) {
      const root = stateRoots.full!
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-compose-format-'))
      try {
        // Rendered into a temp dir (not /var/lib/mkt): only the data dir moves, to scratch space.
        const rendered = path.join(root, 'docker', broker.name, 'server.properties')
        const props = fs.readFileSync(rendered, 'utf8')
        expect(props).toContain('\nlog.dirs=/var/lib/kafka/data\n')
        fs.writeFileSync(path.join(work, 'server.properties'), props.replace('\nlog.dirs=/var/lib/kafka/data\n', `\nlog.dirs=${path.join(work, 'data')}\n`))
        const args = fs.readFileSync(path.join(root, 'docker', broker.name, 'format.args'), 'utf8')
        expect(args).toContain(`"${rendered}"`)
        fs.writeFileSync(path.join(work, 'format.args'), args.replace(`"${rendered}"`, `"${path.join(work, 'server.properties')}"`))
        const out = execFileSync('java', ['-Xmx256m', '-cp', `${kafka.dir}/*`, `@${path.join(work, 'format.args')}`], {encoding: 'utf8', stdio: 'pipe'})
        expect(out).toMatch(/Formatting .*data/)
        expect(fs.readFileSync(path.join(work, 'data', 'meta.properties'), 'utf8')).toContain(`node.id=${props.match(/^node\.id=(\d+)$/m)![1]}`)
        expect(fs.readFileSync(path.join(work, 'data', 'bootstrap.checkpoint')).includes(Buffer.from('admin'))).toBe(true)
      } finally {
        fs.rmSync(work, {recursive: true, force: true})
      }
    }
  }, 120_000)

  it('renders monitoring configs that Prometheus and Alertmanager accept', () => {
    const root = stateRoots.full!
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-compose-prom-'))
    try {
      fs.copyFileSync(composePath('prometheus', 'prometheus.yml'), path.join(work, 'prometheus.yml'))
      fs.cpSync(composePath('prometheus', 'rules'), path.join(work, 'rules'), {recursive: true})
      fs.cpSync(path.join(root, 'prometheus', 'targets'), path.join(work, 'targets'), {recursive: true})
      execFileSync('promtool', ['check', 'config', path.join(work, 'prometheus.yml')], {stdio: 'pipe'})
      const kafka = JSON.parse(fs.readFileSync(path.join(work, 'targets', 'kafka-main.json'), 'utf8')) as Array<{targets: string[]}>
      expect(kafka.flatMap((g) => g.targets)).toEqual(['kafka-1:7071', 'kafka-2:7071', 'kafka-3:7071'])
      execFileSync('amtool', ['check-config', path.join(root, 'docker', 'alertmanager', 'alertmanager.yml')], {stdio: 'pipe'})
    } finally {
      fs.rmSync(work, {recursive: true, force: true})
    }
  })
})
