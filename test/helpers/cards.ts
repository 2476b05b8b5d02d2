import type {ProductCard} from '../../src/catalog/card.js'

/** A valid card for unit tests: what a test does not name is a plain default. */
export const testCard = (id: string, overrides: Partial<ProductCard> = {}): ProductCard => ({
  product_id: id,
  name: `Товар ${id}`,
  description: '',
  price: {amount: 100, currency: 'RUB'},
  category: 'Книги',
  brand: 'Бренд',
  stock: {available: 5, reserved: 0},
  sku: `SKU-${id}`,
  tags: [],
  images: [],
  specifications: {},
  store_id: 'store_001',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  ...overrides,
})
