import {execFile, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {cacheDir} from '../config/paths.js'
import {MktError} from '../errors.js'
import type {ProgressListener} from '../progress.js'
import {packageRoot} from '../package-root.js'

const run = promisify(execFile)

export function requirementsFile(): string {
  return path.join(packageRoot(), 'spark', 'requirements.txt')
}

/** The analytics job's virtualenv, keyed by its requirements: changing a version makes a new one. */
export function analyticsEnvDir(env = process.env): string {
  const hash = createHash('sha256').update(fs.readFileSync(requirementsFile())).digest('hex').slice(0, 12)
  return path.join(cacheDir(env), 'python', `analytics-${hash}`)
}

const MODULES = ['pyspark', 'pandas', 'pyarrow', 'numpy']

async function importCheck(python: string): Promise<string | undefined> {
  try {
    const {stdout} = await run(python, ['-c', `import ${MODULES.join(', ')}; print(pyspark.__version__)`], {timeout: 60_000})
    return stdout.trim()
  } catch {
    return undefined
  }
}

const setupHint =
  'Run `mkt analytics setup` (a virtualenv under ~/.cache/mkt/python with spark/requirements.txt), or point MKT_PYTHON at a Python that has them.'

/** The Python that runs the job: MKT_PYTHON, else the one `mkt analytics setup` made; with pyspark and the rest importable. */
export async function findPython(env = process.env): Promise<{python: string; pyspark: string}> {
  const python = env.MKT_PYTHON ?? path.join(analyticsEnvDir(env), 'bin', 'python')
  if (!env.MKT_PYTHON && !fs.existsSync(python))
    throw new MktError('The analytics job needs Python with pyspark, and it is not installed yet.', setupHint, 'prerequisite')
  const pyspark = await importCheck(python)
  if (!pyspark) throw new MktError(`${python} cannot import the job's modules (${MODULES.join(', ')}).`, setupHint, 'prerequisite')
  return {python, pyspark}
}

/** A Spark installation from pyspark: SPARK_HOME is the package's directory (bin/spark-class, jars/), Python the one that imports it. */
export interface SparkInstall {
  python: string
  /** pyspark's version, which is Spark's. */
  version: string
  home: string
}

/**
 * The Spark that the local runtime's standalone cluster runs: the pyspark
 * package of the analytics virtualenv (or MKT_PYTHON), so the cluster and
 * the job that runs on it are always the same Spark version.
 */
export async function findSpark(env = process.env): Promise<SparkInstall> {
  const {python, pyspark} = await findPython(env)
  let home: string
  try {
    const {stdout} = await run(python, ['-c', 'import os, pyspark; print(os.path.dirname(pyspark.__file__))'], {timeout: 60_000})
    home = stdout.trim()
  } catch (error) {
    throw new MktError(`${python} cannot say where pyspark is installed: ${(error as Error).message.split('\n')[0]}`, setupHint, 'prerequisite')
  }
  if (!fs.existsSync(path.join(home, 'bin', 'spark-class')) || !fs.existsSync(path.join(home, 'jars')))
    throw new MktError(`pyspark in ${home} has no bin/spark-class or jars/ (a pip install of pyspark ships both).`, setupHint, 'prerequisite')
  return {python, version: pyspark, home}
}

/** `mkt analytics setup`: a virtualenv with the pinned requirements (pyspark ships Spark's jars). */
export async function setupPython(
  onProgress: ProgressListener = () => {},
  env = process.env,
): Promise<{python: string; pyspark: string; dir: string; created: boolean}> {
  const dir = analyticsEnvDir(env)
  const python = path.join(dir, 'bin', 'python')
  const existing = fs.existsSync(python) ? await importCheck(python) : undefined
  if (existing) return {python, pyspark: existing, dir, created: false}
  const system = env.MKT_SYSTEM_PYTHON ?? 'python3'
  onProgress({type: 'start', id: 'venv', label: `Creating a virtualenv in ${dir}`})
  try {
    await run(system, ['-m', 'venv', '--clear', dir], {timeout: 120_000})
  } catch (error) {
    throw new MktError(
      `Could not create a Python virtualenv with "${system}": ${(error as Error).message.split('\n')[0]}`,
      'Install Python 3.10+ with venv (Debian/Ubuntu: `sudo apt-get install -y python3 python3-venv`).',
      'prerequisite',
    )
  }
  onProgress({type: 'done', id: 'venv'})
  onProgress({type: 'start', id: 'pip', label: "Installing pyspark and the job's modules (about 450 MB, once)"})
  await new Promise<void>((resolve, reject) => {
    const child = spawn(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', requirementsFile()], {stdio: ['ignore', 'pipe', 'pipe']})
    let tail = ''
    const keep = (chunk: Buffer) => {
      tail = `${tail}${chunk.toString()}`.slice(-4000)
      const last = tail.trim().split('\n').at(-1)
      if (last) onProgress({type: 'start', id: 'pip', label: `pip: ${last.slice(0, 100)}`})
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new MktError(
              `pip could not install the analytics requirements (exit ${code}): ${tail.trim().split('\n').slice(-3).join(' ')}`,
              'Check that PyPI is reachable, then run `mkt analytics setup` again.',
              'prerequisite',
            ),
          ),
    )
  })
  const pyspark = await importCheck(python)
  if (!pyspark)
    throw new MktError(
      `The virtualenv ${dir} was set up but cannot import ${MODULES.join(', ')}.`,
      'Delete it and run `mkt analytics setup` again.',
      'prerequisite',
    )
  onProgress({type: 'done', id: 'pip', detail: `pyspark ${pyspark}`})
  return {python, pyspark, dir, created: true}
}
