import type {Ban} from '../bans/ban.js'
import type {BanTable} from '../bans/table.js'

export type Decision = {decision: 'PASSED'} | {decision: 'BANNED_PRODUCT' | 'BANNED_SKU'; ban: Ban}

/** A card passes unless its product id or its SKU is banned (the product ban wins when both are). */
export function decide(card: {product_id: string; sku: string}, bans: BanTable): Decision {
  const ban = bans.match(card.product_id, card.sku)
  if (!ban) return {decision: 'PASSED'}
  return {decision: ban.kind === 'product' ? 'BANNED_PRODUCT' : 'BANNED_SKU', ban}
}
