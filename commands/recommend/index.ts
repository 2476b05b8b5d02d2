import {Flags} from '@oclif/core'
import chalk from 'chalk'

// The request side and the price parser alone: a one-off call does not load the recommender worker or the search index (process start counts here).
import {askForRecommendations, type RecommendReply, type RecommendRequest} from '../../src/recommend/request.js'
import {parsePrice} from '../../src/search/query.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {formatPrice, renderTable} from '../../src/ui/table.js'

export default class Recommend extends BaseCommand<typeof Recommend> {
  static override principal = 'client'
  static override summary = 'Ask for personalised recommendations (request/reply over Kafka).'
  static override description = `Sends a request to client-recommendations and prints its id. With --wait it waits for the reply on recommendations-results (matched by request id) and prints the products: the user's list from the last \`mkt analytics run\`, checked by the recommender (\`mkt recommend serve\`) against bans, stock and your filters at answer time.

A reply that does not come within --timeout seconds is an error (exit 11) that says whether a recommender is running.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> --user user-0001 --wait',
    '<%= config.bin %> <%= command.id %> --user u42 --category Электроника --max-price 30000 --limit 5 --wait --json',
    '<%= config.bin %> <%= command.id %> --user u42',
  ]
  static override flags = {
    user: Flags.string({description: 'Whom to recommend for.', required: true}),
    category: Flags.string({description: 'Only this category.'}),
    'max-price': Flags.string({description: 'Only products up to this price.'}),
    limit: Flags.integer({char: 'n', description: 'How many products (1-50).', default: 10}),
    wait: Flags.boolean({description: 'Wait for the reply and print it.', default: false}),
    timeout: Flags.integer({description: 'Seconds to wait with --wait.', default: 10, min: 1}),
  }

  async run(): Promise<{request: RecommendRequest; reply?: RecommendReply}> {
    const {flags} = this
    const maxPrice = parsePrice(flags['max-price'], '--max-price')
    const result = await askForRecommendations(
      this.connection().profile,
      {userId: flags.user, limit: flags.limit, ...(flags.category ? {category: flags.category} : {}), ...(maxPrice !== undefined ? {maxPrice} : {})},
      {wait: flags.wait, timeoutMs: flags.timeout * 1000},
    )
    if (!result.reply) {
      this.log(
        `Sent request ${result.request.request_id}; the reply will be on recommendations-results with that key (\`mkt consume recommendations-results --key ${result.request.request_id} --follow\`).`,
      )
      return result
    }
    const {reply} = result
    if (reply.items.length === 0) {
      this.log(
        reply.source === 'none'
          ? 'No recommendations have been computed yet: run `mkt analytics run`.'
          : 'Nothing matches: every recommended product is banned, out of stock or outside your filters.',
      )
      return result
    }
    this.log(
      renderTable(
        ['id', 'name', 'brand', 'category', 'price', 'stock', 'score'],
        reply.items.map((i) => [i.product_id, i.name, i.brand, i.category, formatPrice(i.price, i.currency), i.available, i.score.toFixed(3)]),
      ),
    )
    this.log(
      chalk.dim(
        `${reply.items.length} for ${reply.user_id} from ${reply.source}${reply.model_version ? ` (${reply.model_version}, computed ${reply.computed_at})` : ''}; request ${reply.request_id}`,
      ),
    )
    return result
  }
}
