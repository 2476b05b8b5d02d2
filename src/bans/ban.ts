import {MktError} from '../errors.js'
import {TOPICS} from '../topics/names.js'

export const BANS_TOPIC = TOPICS.bans

export type BanKind = 'product' | 'sku'

/** A ban as stored in banned-products (value of the compacted key). */
export interface BanValue {
  reason: string
  banned_at: string
  banned_by: string
}

export interface Ban extends BanValue {
  key: string
  kind: BanKind
  /** The product id or SKU the ban names. */
  target: string
}

export function banKey(kind: BanKind, target: string): string {
  return `${kind}:${target}`
}

export function parseBanKey(key: string): {kind: BanKind; target: string} | undefined {
  const match = /^(product|sku):(.+)$/.exec(key)
  return match ? {kind: match[1] as BanKind, target: match[2]!} : undefined
}

/** What a user asks to ban: exactly one of product id and SKU. */
export interface BanRequest {
  productId?: string
  sku?: string
  reason?: string
  bannedBy?: string
}

export function requestKey(request: BanRequest, where = 'the ban'): {kind: BanKind; target: string; key: string} {
  const productId = request.productId?.trim()
  const sku = request.sku?.trim()
  if (Boolean(productId) === Boolean(sku)) {
    throw new MktError(
      `${where} must name exactly one of a product id and a SKU.`,
      'Use --product-id ID or --sku SKU (or "product_id" / "sku" in an import file).',
      'usage',
    )
  }
  const kind: BanKind = productId ? 'product' : 'sku'
  const target = (productId ?? sku)!
  return {kind, target, key: banKey(kind, target)}
}
