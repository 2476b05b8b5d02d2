import {readCategoryStats, type CategoryStats} from '../../src/analytics/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {formatPrice, renderTable} from '../../src/ui/table.js'

export default class AnalyticsStats extends BaseCommand<typeof AnalyticsStats> {
  static override principal = 'analytics'
  static override summary = 'Show the category statistics the Spark job computed.'
  static override description =
    'Reads the compacted topic category-stats to its end: per category the number of live, unbanned products, average, lowest and highest price, stock available and the top brands, as of the last `mkt analytics run`.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<{categories: CategoryStats[]}> {
    const categories = await readCategoryStats(this.connection().profile)
    if (categories.length === 0) {
      this.log('No category statistics yet: `mkt analytics run` writes them from the cards in filtered-products.')
      return {categories}
    }
    this.log(
      renderTable(
        ['category', 'products', 'avg price', 'min', 'max', 'in stock', 'top brands'],
        categories.map((c) => [
          c.category,
          c.product_count,
          formatPrice(c.avg_price, 'RUB', 0),
          formatPrice(c.min_price, 'RUB', 0),
          formatPrice(c.max_price, 'RUB', 0),
          c.total_available,
          c.top_brands.map((b) => `${b.brand} (${b.products})`).join(', '),
        ]),
      ),
    )
    this.log(`Computed at ${categories[0]!.computed_at}.`)
    return {categories}
  }
}
