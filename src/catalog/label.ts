/** Case- and ё-insensitive form of a label (category, brand) for exact filters: search's and the recommender's. */
export function normalizeLabel(value: string): string {
  return value.trim().toLowerCase().replaceAll('ё', 'е')
}
