import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

let cached: string | undefined

/**
 * The installed package's root (where compose/ and data/ live), found from
 * this file so it works from src/ under tsx and from dist/src/ alike.
 */
export function packageRoot(): string {
  if (cached) return cached
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = path.join(dir, 'package.json')
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as {name?: string}).name === 'mkt') return (cached = dir)
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('mkt package root not found above ' + fileURLToPath(import.meta.url))
    dir = parent
  }
}

export function composePath(...parts: string[]): string {
  return path.join(packageRoot(), 'compose', ...parts)
}
