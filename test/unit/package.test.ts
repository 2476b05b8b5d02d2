import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {packageRoot} from '../../src/package-root.js'

describe('npm pack', () => {
  it('ships everything a run needs: the CLI, the Spark job, compose/ with the Maven manifests, the sample data, the image build', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: packageRoot(), encoding: 'utf8'})) as Array<{
      files: Array<{path: string}>
    }>
    const files = new Set(pack!.files.map((f) => f.path))
    for (const needed of [
      'bin/run.js',
      'oclif.manifest.json',
      'dist/commands/demo.js',
      'spark/analytics_job.py',
      'spark/mkt_analytics/kafka_io.py',
      'spark/requirements.txt',
      'compose/topics.yaml',
      'compose/acls.yaml',
      'compose/docker-compose.yml',
      'compose/local/kafka/pom.xml',
      'compose/local/maven-central-only.xml',
      'data/products.json',
      'Dockerfile',
      'src/infra/docker/render.ts',
    ])
      expect(files.has(needed), needed).toBe(true)
    // Every file the compose file and the runtime read from compose/ is in it.
    const compose = (dir: string): string[] =>
      fs
        .readdirSync(path.join(packageRoot(), dir), {withFileTypes: true})
        .flatMap((e) => (e.isDirectory() ? (e.name === 'target' ? [] : compose(path.join(dir, e.name))) : [path.join(dir, e.name)]))
    for (const file of compose('compose')) expect(files.has(file), file).toBe(true)
    // A Maven marker would make a fresh resolve skip its unpack; tests and local state stay out.
    expect([...files].filter((f) => f.includes('/target/') || f.startsWith('test/') || f.endsWith('.marker'))).toEqual([])
  }, 60_000)
})
