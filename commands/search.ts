import {Args, Flags} from '@oclif/core'
import chalk from 'chalk'

import {parsePrice, searchCatalog, SORTS, type SearchResponse} from '../src/search/index.js'
import {BaseCommand} from '../src/ui/base-command.js'
import {formatPrice, renderTable} from '../src/ui/table.js'

export default class Search extends BaseCommand<typeof Search> {
  static override principal = 'client'
  static override summary = 'Search the live catalogue (Russian full text, typos forgiven).'
  static override description = `Asks the running indexer (\`mkt index start\`, at the profile's searchUrl or MKT_SEARCH_URL). When none answers, it loads the latest snapshot, catches up from filtered-products itself and answers, saying so — a search always works.

Words are matched in any grammatical form ("умных часов" finds "Умные часы"), with typos forgiven when nothing matches exactly ("смартфн"), the last word also as a prefix; an exact SKU finds that product. Every search is recorded in client-searches (with --user).`
  static override examples = [
    '<%= config.bin %> <%= command.id %> "умные часы"',
    '<%= config.bin %> <%= command.id %> смартфн --in-stock --sort price-asc',
    '<%= config.bin %> <%= command.id %> наушники --category Электроника --max-price 30000 --user u42',
    '<%= config.bin %> <%= command.id %> XYZ-12345 --json',
  ]

  static override args = {
    query: Args.string({description: 'What to look for (words, or an exact SKU).', required: true}),
  }

  static override flags = {
    limit: Flags.integer({char: 'n', description: 'How many hits to show (1-100).', default: 10}),
    category: Flags.string({description: 'Only this category (case-insensitive), e.g. Электроника.'}),
    brand: Flags.string({description: 'Only this brand (case-insensitive).'}),
    'min-price': Flags.string({description: 'Lowest price.'}),
    'max-price': Flags.string({description: 'Highest price.'}),
    'in-stock': Flags.boolean({description: 'Only products with stock available.', default: false}),
    sort: Flags.string({description: `Order of hits: ${SORTS.join(', ')}.`, default: 'relevance'}),
    user: Flags.string({description: 'Who is searching (recorded with the search event; default anonymous).'}),
    'indexer-url': Flags.string({description: "The indexer to ask (default: the profile's searchUrl, MKT_SEARCH_URL)."}),
    topic: Flags.string({description: 'Without an indexer: the catalogue topic to read.', default: 'filtered-products', helpGroup: 'WITHOUT AN INDEXER'}),
    'snapshot-file': Flags.string({
      description: 'Without an indexer: the snapshot to start from (default: the one `mkt index start` writes).',
      helpGroup: 'WITHOUT AN INDEXER',
    }),
  }

  async run(): Promise<SearchResponse> {
    const {flags, args} = this
    const minPrice = parsePrice(flags['min-price'], '--min-price')
    const maxPrice = parsePrice(flags['max-price'], '--max-price')
    const response = await searchCatalog(
      this.connection().profile,
      {
        text: args.query,
        limit: flags.limit,
        sort: flags.sort,
        ...(flags.category ? {category: flags.category} : {}),
        ...(flags.brand ? {brand: flags.brand} : {}),
        ...(minPrice !== undefined ? {minPrice} : {}),
        ...(maxPrice !== undefined ? {maxPrice} : {}),
        ...(flags['in-stock'] ? {inStock: true} : {}),
      },
      {
        topic: flags.topic,
        ...(flags.user ? {userId: flags.user} : {}),
        ...(flags['indexer-url'] ? {indexerUrl: flags['indexer-url']} : {}),
        ...(flags['snapshot-file'] ? {snapshotFile: flags['snapshot-file']} : {}),
      },
    )
    if (response.local) {
      const {local} = response
      const from = local.snapshot
        ? `the snapshot of ${local.snapshot.savedAt} (${local.snapshot.products} products)`
        : `no snapshot${local.skipped ? ` (${local.skipped})` : ''}`
      process.stderr.write(
        chalk.yellow(
          `No indexer answered at ${local.indexerUrl}; searched a local copy: ${from} plus ${local.caughtUp} record(s) caught up from ${flags.topic}, built in ${(local.buildMs / 1000).toFixed(1)}s. Start \`mkt index start\` for instant searches.\n`,
        ),
      )
    }
    if (response.notice) process.stderr.write(`${response.notice}\n`)
    if (response.hits.length === 0) {
      this.log(`Nothing found for "${response.query.text}".`)
      return response
    }
    this.log(
      renderTable(
        ['id', 'name', 'brand', 'category', 'price', 'stock', 'score'],
        response.hits.map((h) => [h.product_id, h.name, h.brand, h.category, formatPrice(h.price, h.currency), h.available, h.score.toFixed(1)]),
      ),
    )
    const fuzzy = response.mode === 'all-words-fuzzy' ? ', typos forgiven' : response.mode === 'any-word' ? ', matching any of the words' : ''
    this.log(chalk.dim(`${response.hits.length} of ${response.total} match(es)${fuzzy}, ${response.tookMs.toFixed(1)} ms (${response.servedBy})`))
    return response
  }
}
