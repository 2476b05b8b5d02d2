import {Args, Flags} from '@oclif/core'

import {recordView, type ViewEvent} from '../src/client/index.js'
import {BaseCommand} from '../src/ui/base-command.js'

export default class View extends BaseCommand<typeof View> {
  static override principal = 'client'
  static override summary = 'Record that a client viewed a product (an event in client-views).'
  static override description =
    'Views weigh more than search hits in the recommendations Spark computes (`mkt analytics run`). The event is written once Kafka acknowledges it; the product id is not checked against the catalogue (the analytics job ignores products it does not know).'
  static override examples = ['<%= config.bin %> <%= command.id %> 12345 --user u42', '<%= config.bin %> <%= command.id %> 12348 --user u42 --json']
  static override args = {product: Args.string({description: 'The product id that was viewed.', required: true})}
  static override flags = {
    user: Flags.string({description: 'Who viewed it.', required: true}),
    topic: Flags.string({description: 'Topic of view events.', default: 'client-views'}),
  }

  async run(): Promise<ViewEvent> {
    const event = await recordView(this.connection().profile, this.flags.user, this.args.product, {topic: this.flags.topic})
    this.log(`Recorded: ${event.user_id} viewed ${event.product_id} at ${event.viewed_at} (${this.flags.topic}).`)
    return event
  }
}
