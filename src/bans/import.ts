import fs from 'node:fs'

import {MktError} from '../errors.js'
import type {BanRequest} from './ban.js'

/** Reads a JSON array of {product_id | sku, reason, banned_by?} (the format of data/banned.json). */
export function readBanFile(file: string): BanRequest[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new MktError(`Cannot read the ban file ${file}: it does not exist.`, 'Pass a JSON array such as data/banned.json.', 'notFound')
    throw new MktError(
      `The ban file ${file} is not valid JSON: ${(error as Error).message}.`,
      'It must be a JSON array of {"product_id" or "sku", "reason"}.',
      'usage',
    )
  }
  if (!Array.isArray(parsed))
    throw new MktError(`The ban file ${file} must hold a JSON array.`, 'For example: [{"sku": "XYZ-1", "reason": "counterfeit"}]', 'usage')
  return parsed.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null)
      throw new MktError(`Entry #${i + 1} of ${file} is not an object.`, 'Each entry is {"product_id" or "sku", "reason", "banned_by"?}.', 'usage')
    const e = entry as Record<string, unknown>
    const text = (name: string) => {
      const v = e[name]
      if (v !== undefined && typeof v !== 'string') throw new MktError(`Entry #${i + 1} of ${file}: "${name}" must be a string.`, 'Fix that entry.', 'usage')
      return v
    }
    const request: BanRequest = {}
    const [productId, sku, reason, bannedBy] = [text('product_id'), text('sku'), text('reason'), text('banned_by')]
    if (productId !== undefined) request.productId = productId
    if (sku !== undefined) request.sku = sku
    if (reason !== undefined) request.reason = reason
    if (bannedBy !== undefined) request.bannedBy = bannedBy
    return request
  })
}
