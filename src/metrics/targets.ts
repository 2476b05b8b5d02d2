import fs from 'node:fs'
import path from 'node:path'

/** Where a local runtime's Prometheus finds its scrape targets (file-based service discovery). */
export function prometheusTargetsDir(stateDir: string): string {
  return path.join(stateDir, 'prometheus', 'targets')
}

/** A running worker's entry in Prometheus's service discovery. */
export interface WorkerTarget {
  stateDir: string
  /** The `service` label: mkt-filter, mkt-indexer, mkt-recommender. */
  service: string
}

/**
 * Registers a worker's /metrics with the local runtime's Prometheus (when
 * that runtime runs one), named by its port so that a worker started again
 * on the port replaces its old entry. Returns the unregister function: a
 * worker that stops cleanly leaves; one that is killed stays listed, so
 * Prometheus sees it down and WorkerDown fires.
 */
export function registerWorkerTarget(target: WorkerTarget, host: string, port: number): () => void {
  const root = prometheusTargetsDir(target.stateDir)
  if (!fs.existsSync(root)) return () => {}
  const dir = path.join(root, 'workers')
  fs.mkdirSync(dir, {recursive: true})
  const file = path.join(dir, `${target.service}-${port}.json`)
  const tmp = `${file}.${process.pid}.tmp`
  // Written whole and renamed: Prometheus never reads half a file.
  fs.writeFileSync(tmp, `${JSON.stringify([{targets: [`${host}:${port}`], labels: {cluster: 'main', service: target.service}}], null, 2)}\n`)
  fs.renameSync(tmp, file)
  return () => fs.rmSync(file, {force: true})
}
