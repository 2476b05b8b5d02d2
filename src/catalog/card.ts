/** A product card as it travels through the platform (mirrors compose/schemas/product-card.avsc). */
export interface ProductCard {
  product_id: string
  name: string
  description: string
  price: {amount: number; currency: string}
  category: string
  brand: string
  stock: {available: number; reserved: number}
  sku: string
  tags: string[]
  images: Array<{url: string; alt: string}>
  specifications: Record<string, string>
  store_id: string
  created_at: string
  updated_at: string
}

export const PRODUCT_CARD_SCHEMA = 'product-card.avsc'
export const REJECTED_RECORD_SCHEMA = 'rejected-record.avsc'
