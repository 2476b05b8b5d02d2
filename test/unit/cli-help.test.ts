import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-home-'))
afterAll(() => fs.rmSync(home, {recursive: true, force: true}))

describe('help, mistyped commands and shell completion', {timeout: 60_000}, () => {
  it("shows a command's help with `mkt help COMMAND`", async () => {
    const help = await runCli(['help', 'infra', 'up'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('$ mkt infra up')
    expect(help.stdout).toContain('--runtime=<option>')
  })

  it('names the closest command for a mistyped one and exits 127', async () => {
    const typo = await runCli(['infra', 'stauts'])
    expect(typo.code).toBe(127)
    expect(typo.stderr).toContain('Did you mean `mkt infra status`?')
    expect((await runCli(['serach', 'часы'])).stderr).toContain('Did you mean `mkt search`?')
  })

  it('completes commands in bash from the script `mkt autocomplete` sets up', async () => {
    const setup = await runCli(['autocomplete', 'bash'], {HOME: home, XDG_CACHE_HOME: path.join(home, '.cache')})
    expect(setup.code, setup.stderr).toBe(0)
    const functions = path.join(home, '.cache', 'mkt', 'autocomplete', 'functions', 'bash', 'mkt.bash')
    const complete = (line: string) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source ${functions}; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMP_LINE="${line}"; _mkt_autocomplete; echo "\${COMPREPLY[@]}"`,
        ],
        {
          encoding: 'utf8',
        },
      ).trim()
    expect(complete('mkt infra st')).toBe('status')
    expect(complete('mkt recommend se').split(' ')).toContain('serve')
  })
})
