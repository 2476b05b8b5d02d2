import {Flags} from '@oclif/core'

import {simulateClients, type SimulationStats} from '../../src/client/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {createProgress} from '../../src/ui/progress.js'

export default class ClientSimulate extends BaseCommand<typeof ClientSimulate> {
  static override principal = 'client'
  static override summary = 'Simulate shoppers: searches, views and recommendation requests with realistic preferences.'
  static override description = `Each simulated user likes one or two categories and has a price ceiling; they search for products of those categories, view what they found (mostly what they can afford) and sometimes ask for recommendations. Events go through the same code as \`mkt search\`, \`mkt view\` and \`mkt recommend\` into client-searches, client-views and client-recommendations. The same --seed gives the same users and actions on the same catalogue.

Needs a catalogue in filtered-products (the latest search snapshot is used when there is one). Ctrl-C stops early and still writes what was simulated.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> --users 50 --events 2000',
    '<%= config.bin %> <%= command.id %> --users 1000 --events 100000 --seed 7 --json',
    '<%= config.bin %> <%= command.id %> --users 20 --events 600 --rate 10',
  ]
  static override flags = {
    users: Flags.integer({description: 'How many users.', default: 50, min: 1}),
    events: Flags.integer({description: 'How many events in all.', default: 2000, min: 1}),
    seed: Flags.integer({description: 'Seed: the same seed gives the same simulation.', default: 1}),
    rate: Flags.integer({description: 'Events per second (default: as fast as possible).', min: 1}),
  }

  async run(): Promise<SimulationStats> {
    const progress = createProgress({enabled: !this.jsonEnabled(), tty: this.interactive})
    const stop = new AbortController()
    const onSigint = () => stop.abort()
    process.once('SIGINT', onSigint)
    try {
      const stats = await simulateClients(this.connection().profile, {
        users: this.flags.users,
        events: this.flags.events,
        seed: this.flags.seed,
        ...(this.flags.rate ? {rate: this.flags.rate} : {}),
        signal: stop.signal,
        onProgress: progress,
      })
      progress.stop()
      this.log(
        `${stats.users} users made ${stats.events} events in ${stats.seconds.toFixed(1)}s: ${stats.searches} searches, ${stats.views} views, ${stats.requests} recommendation requests (over ${stats.products} products).`,
      )
      return stats
    } finally {
      progress.stop()
      process.off('SIGINT', onSigint)
    }
  }
}
