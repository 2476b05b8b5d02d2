import {execFile} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {startCli, type Running} from '../helpers/spawn.js'
import {freshTopic} from '../helpers/topics.js'

const run = promisify(execFile)
const profile = inject('profile')
// As the admin: the fuzzer's cards and bans go to fresh topics of this test, which the other principals' ACLs do not name.
const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: `${profile.name}:admin`, MKT_BROKERS: undefined, NO_COLOR: '1'}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-gw-contract-'))
const keysFile = path.join(dir, 'keys.json')
const toolsDir = process.env.MKT_TOOLS_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'mkt', 'tools')
const schemathesis = path.join(toolsDir, 'schemathesis', 'bin', 'st')
/** Where the docs page's screenshot is kept for people to look at (git-ignored). */
const SCREENSHOT = path.resolve(import.meta.dirname, '../../test-results/gateway-docs.png')

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--virtual-time-budget=15000',
]

describe("the gateway's contract (Schemathesis) and its docs page (headless Chromium)", () => {
  let gateway: Running
  let base = ''
  let adminKey = ''

  beforeAll(async () => {
    for (const [tool, hint] of [
      [schemathesis, 'scripts/install-test-tools.sh'],
      ['/usr/bin/chromium', 'apt-get install chromium'],
    ] as const)
      if (!fs.existsSync(tool)) throw new Error(`${tool} is missing: run ${hint} (.ci/run does both)`)
    const [cards, dlq, bans] = await Promise.all([
      freshTopic(profile, 'it-gwc-cards'),
      freshTopic(profile, 'it-gwc-dlq', 1),
      freshTopic(profile, 'it-gwc-bans', 1, {'cleanup.policy': 'compact'}),
    ])
    const keyFile = path.join(dir, 'admin.key')
    const created = await runCli(['gateway', 'keys', 'create', '--name', 'fuzzer', '--role', 'admin', '--keys-file', keysFile, '--output-file', keyFile], env)
    expect(created.code, created.stderr).toBe(0)
    adminKey = fs.readFileSync(keyFile, 'utf8').trim()
    gateway = startCli(
      [
        ...['gateway', 'start', '--port', '0', '--keys-file', keysFile, '--rate-limit', '1000000'],
        ...['--topic', cards, '--dlq-topic', dlq, '--bans-topic', bans, '--snapshot-file', path.join(dir, 'index.snapshot')],
      ],
      env,
    )
    await gateway.waitFor(/"msg":"serving"/, 90_000, 'stderr')
    base = /"url":"(http:\/\/[^"]+)"/.exec(gateway.stderr())![1]!
  }, 180_000)

  afterAll(async () => {
    gateway?.child.kill('SIGTERM')
    expect(await gateway?.exited, gateway?.stderr().slice(-2000)).toBe(0)
    fs.rmSync(dir, {recursive: true, force: true})
  }, 60_000)

  it('finds no server error, no response outside the schema and no accepted input that the schema forbids', {timeout: 400_000}, async () => {
    // Bounded and seeded: every CI run tries the same examples (raise --max-examples locally to look further). One
    // worker: with two, Hypothesis's source parsing on threads crashed Python 3.11 ("AST constructor recursion depth mismatch").
    const args = [
      ...['run', `${base}/openapi.json`, '--header', `X-API-Key: ${adminKey}`, '--seed', '20261204', '--max-examples', '15', '--workers', '1'],
      ...['--checks', 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection'],
      ...['--phases', 'examples,coverage,fuzzing', '--request-timeout', '30'],
      // The card's identifiers must match two patterns at once (not blank, and letters, digits, . _ : / - only): Hypothesis
      // throws many candidates away to meet both, which its health check calls an error of the generator, not of the API.
      '--suppress-health-check=filter_too_much',
    ]
    const result = await run(schemathesis, args, {cwd: dir, timeout: 360_000, maxBuffer: 64 * 1024 * 1024, env: {...process.env, NO_COLOR: '1'}}).then(
      (r) => ({code: 0, output: r.stdout + r.stderr}),
      (error: {code?: number; stdout?: string; stderr?: string}) => ({code: error.code ?? -1, output: `${error.stdout ?? ''}${error.stderr ?? ''}`}),
    )
    expect(result.code, result.output.slice(-6000)).toBe(0)
    expect(result.output).toMatch(/Tested: 13\b/) // every operation of the document
    expect(result.output).toMatch(/(\d+) generated, \1 passed/)
    expect(gateway.stderr()).not.toMatch(/"level":50/) // and the gateway logged no error while it was fuzzed
  })

  it('shows every operation on /docs in a real browser, and keeps a screenshot of it', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {paths: Record<string, object>}
    const profileDir = (name: string) => `--user-data-dir=${fs.mkdtempSync(path.join(dir, name))}`
    const {stdout: dom} = await run('/usr/bin/chromium', [...CHROMIUM_FLAGS, profileDir('dom-'), '--dump-dom', `${base}/docs/`], {
      timeout: 60_000,
      maxBuffer: 32 * 1024 * 1024,
    })
    const shown = [...dom.matchAll(/class="opblock-summary-path" data-path="([^"]+)"/g)].map((m) => m[1])
    expect(new Set(shown)).toEqual(new Set(Object.keys(doc.paths)))
    expect(dom).toContain('mkt gateway')

    fs.mkdirSync(path.dirname(SCREENSHOT), {recursive: true})
    fs.rmSync(SCREENSHOT, {force: true})
    await run('/usr/bin/chromium', [...CHROMIUM_FLAGS, profileDir('shot-'), '--window-size=1280,1800', `--screenshot=${SCREENSHOT}`, `${base}/docs/`], {
      timeout: 60_000,
    })
    const png = fs.readFileSync(SCREENSHOT)
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a') // a PNG
    expect(png.readUInt32BE(16)).toBe(1280) // as wide as the window
    expect(png.length).toBeGreaterThan(50_000) // a rendered page, not a blank one (a blank page is about 10 KB)
  })
})
