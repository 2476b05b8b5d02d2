import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import {cacheDir} from '../config/paths.js'
import {MktError} from '../errors.js'
import {composePath} from '../package-root.js'
import {checkMaven} from './prerequisites.js'
import {tailFile} from './process.js'

/** What the local runtime needs from Maven Central; each has a POM under compose/local. */
export const ARTIFACTS = {
  kafka: {pom: 'kafka/pom.xml', goal: 'dependency:copy-dependencies', what: 'Apache Kafka jars'},
  apicurio: {pom: 'apicurio/pom.xml', goal: 'dependency:unpack', what: 'Apicurio Registry'},
  connectFile: {pom: 'connect-file/pom.xml', goal: 'dependency:copy-dependencies', what: 'Kafka Connect file connectors (a Connect plugin)'},
  apicurioConverter: {pom: 'apicurio-converter/pom.xml', goal: 'dependency:copy-dependencies', what: 'Apicurio Avro converter (a Connect plugin)'},
  connectJsonTransform: {pom: 'connect-json-transform/pom.xml', goal: 'dependency:copy-dependencies', what: 'ToJSON transformation (a Connect plugin)'},
  jmxExporter: {pom: 'jmx-exporter/pom.xml', goal: 'dependency:copy-dependencies', what: 'Prometheus JMX exporter (java agent)'},
  hadoop: {pom: 'hadoop/pom.xml', goal: 'dependency:copy-dependencies', what: 'Apache Hadoop HDFS (NameNode, DataNode, FsShell)'},
  sparkKafka: {pom: 'spark-kafka/pom.xml', goal: 'dependency:copy-dependencies', what: "Spark's Kafka source/sink and Avro functions"},
} as const

export type ArtifactName = keyof typeof ARTIFACTS

export interface ResolvedArtifact {
  name: ArtifactName
  dir: string
  /** False when it came from the cache and nothing was downloaded. */
  downloaded: boolean
}

/** The cache key is the manifest's content: editing a version resolves again. */
export function artifactDir(name: ArtifactName): string {
  const pom = fs.readFileSync(composePath('local', ARTIFACTS[name].pom))
  const digest = createHash('sha256').update(pom).digest('hex').slice(0, 12)
  return path.join(cacheDir(), 'artifacts', `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}-${digest}`)
}

function runMaven(args: string[], logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(logFile, 'w')
    const child = spawn('mvn', args, {stdio: ['ignore', log, log]})
    child.on('error', reject)
    child.on('exit', (code) => {
      fs.closeSync(log)
      if (code === 0) resolve()
      else reject(new Error(`mvn exited with code ${code}`))
    })
  })
}

/**
 * Resolves one artifact set into the per-user cache with Maven. The result
 * is moved into place only when complete, so an interrupted download is
 * never mistaken for a cached one.
 */
export async function resolveArtifact(name: ArtifactName): Promise<ResolvedArtifact> {
  const dir = artifactDir(name)
  if (fs.existsSync(path.join(dir, '.complete'))) return {name, dir, downloaded: false}

  await checkMaven()
  const spec = ARTIFACTS[name]
  const staging = `${dir}.partial-${process.pid}`
  fs.rmSync(staging, {recursive: true, force: true})
  fs.mkdirSync(staging, {recursive: true})
  const logFile = `${dir}.maven.log`
  const args = [
    '-B',
    '-s',
    composePath('local', 'maven-central-only.xml'),
    '-f',
    composePath('local', spec.pom),
    spec.goal,
    `-DoutputDirectory=${staging}`,
    `-Dmaven.repo.local=${path.join(cacheDir(), 'm2')}`,
    // unpack skips an artifact whose marker exists; the default place is the POM's target/, which
    // outlives the cache (and sits in a read-only install), so markers live with the staging dir
    // (plugin 2.8, which the Apicurio manifest needs, reads it from the POM's mkt.markersDirectory).
    `-DmarkersDirectory=${staging}.markers`,
    `-Dmkt.markersDirectory=${staging}.markers`,
  ]
  try {
    await runMaven(args, logFile)
  } catch (error) {
    fs.rmSync(staging, {recursive: true, force: true})
    fs.rmSync(`${staging}.markers`, {recursive: true, force: true})
    throw new MktError(
      `Maven could not resolve the ${spec.what} from Maven Central: ${(error as Error).message}.\n${tailFile(logFile, 15)}`,
      `Check network access to Maven Central; the full log is ${logFile}.`,
      'prerequisite',
      {cause: error},
    )
  }
  fs.rmSync(`${staging}.markers`, {recursive: true, force: true})
  fs.writeFileSync(path.join(staging, '.complete'), new Date().toISOString())
  fs.rmSync(dir, {recursive: true, force: true})
  fs.renameSync(staging, dir)
  return {name, dir, downloaded: true}
}

/** The registry's launcher: quarkus-run.jar (fast-jar builds) or *-runner.jar (legacy). */
export function registryJar(dir: string): string {
  const fastJar = path.join(dir, 'quarkus-run.jar')
  if (fs.existsSync(fastJar)) return fastJar
  const runner = fs.readdirSync(dir).find((f) => f.endsWith('-runner.jar'))
  if (!runner) throw new MktError(`No Apicurio launcher jar in ${dir}.`, `Delete ${dir} and run \`mkt infra up\` again to resolve it afresh.`, 'infra')
  return path.join(dir, runner)
}

/** Resolves every artifact the local runtime needs (`mkt infra pull`, CI cache warm-up). */
export async function pullArtifacts(): Promise<Array<ResolvedArtifact & {what: string}>> {
  const names = Object.keys(ARTIFACTS) as ArtifactName[]
  const resolved = await Promise.all(names.map((name) => resolveArtifact(name)))
  return resolved.map((r) => ({...r, what: ARTIFACTS[r.name].what}))
}
