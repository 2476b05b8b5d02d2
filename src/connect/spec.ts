import fs from 'node:fs'
import path from 'node:path'

import {MktError} from '../errors.js'
import {composePath} from '../package-root.js'

/** One connector as compose/connect/<name>.json holds it: the body of Connect's PUT /connectors/<name>/config. */
export interface ConnectorSpec {
  name: string
  config: Record<string, string>
  file: string
}

const NAME = /^[a-z][a-z0-9._-]{0,100}$/

/** Reads every *.json under the directory (default compose/connect): {"name": ..., "config": {...}}, values as strings. */
export function loadConnectorSpecs(dir = composePath('connect')): ConnectorSpec[] {
  let files: string[]
  try {
    files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  } catch (error) {
    throw new MktError(
      `Cannot read the connector directory ${dir}: ${(error as Error).message}.`,
      'Pass --dir with a folder of connector JSON files.',
      'notFound',
    )
  }
  return files.map((f) => parseConnectorSpec(fs.readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f)))
}

export function parseConnectorSpec(text: string, file: string): ConnectorSpec {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new MktError(`The connector file ${file} is not valid JSON: ${(error as Error).message}.`, 'Fix the JSON syntax.', 'config')
  }
  const {name, config} = (raw ?? {}) as {name?: unknown; config?: unknown}
  if (typeof name !== 'string' || !NAME.test(name))
    throw new MktError(
      `The connector file ${file} needs a "name": lower case letters, digits, '.', '_' or '-'.`,
      'See compose/connect for an example.',
      'config',
    )
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new MktError(`The connector file ${file} needs a "config" object.`, 'See compose/connect for an example.', 'config')
  const values = Object.entries(config as Record<string, unknown>)
  const bad = values.find(([, v]) => typeof v !== 'string')
  if (bad)
    throw new MktError(
      `The connector file ${file} sets "${bad[0]}" to a ${typeof bad[1]}; Connect takes strings only.`,
      `Write it as "${String(bad[1])}".`,
      'config',
    )
  if (!('connector.class' in (config as object)))
    throw new MktError(`The connector file ${file} has no "connector.class".`, 'Name the connector class to run.', 'config')
  return {name, config: config as Record<string, string>, file}
}
