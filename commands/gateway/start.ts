import fs from 'node:fs'

import {Flags} from '@oclif/core'

import {defaultKeysFile, startGateway, type GatewayWorker} from '../../src/gateway/index.js'
import {workerLogger} from '../../src/log-structured.js'
import {listenHost} from '../../src/metrics/server.js'
import {ensureCertificates} from '../../src/security/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {runUntilSignal} from '../../src/ui/worker-run.js'

export default class GatewayStart extends BaseCommand<typeof GatewayStart> {
  static override principal = 'gateway'
  static override summary = 'Run the HTTP gateway: the Shop, Client and Admin APIs with an OpenAPI 3.1 contract.'
  static override description = `Shop API: POST /v1/products (one card or a batch), GET /v1/products/{id}. Client API: GET /v1/search, POST /v1/views, POST /v1/recommendations (?wait=5s), GET /v1/recommendations/{request_id}. Admin API: PUT/DELETE /v1/bans/product/{id} and /v1/bans/sku/{sku}, GET /v1/bans. The contract is at /openapi.json, an interactive page at /docs; /healthz and /metrics need no key.

Every call but those needs an API key (\`mkt gateway keys create\`) in the X-API-Key header: 401 without one, 403 for a key that may not make the call, 429 with Retry-After past --rate-limit. Errors are RFC 9457 problem details. Cards, views and recommendation requests go through the same code as \`mkt shop send\`, \`mkt view\` and \`mkt recommend\`, as the Kafka principal of the key; searches are answered from the gateway's own live index of filtered-products.

Logs are JSON lines on stderr. Blocks until SIGINT/SIGTERM; then answers the requests in flight and stops.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --port 8443 --tls --rate-limit 1200',
    {
      description: 'Send a card as a shop',
      command: 'curl -H "X-API-Key: $(cat shop.key)" -H "Content-Type: application/json" -d @card.json http://127.0.0.1:9440/v1/products',
    },
  ]
  static override flags = {
    port: Flags.integer({description: 'Port to listen on (0 picks a free one).', default: 9440, min: 0, max: 65_535}),
    host: Flags.string({description: 'Address to listen on (default: MKT_LISTEN_HOST, else 127.0.0.1).'}),
    tls: Flags.boolean({
      description: "Serve HTTPS with a certificate from the platform's CA (<state dir>/certs/gateway.pem; clients trust ca.pem).",
      default: false,
    }),
    'rate-limit': Flags.integer({description: 'Requests per API key per minute.', default: 600, min: 1}),
    'max-batch': Flags.integer({description: 'Most cards per POST /v1/products.', default: 500, min: 1, max: 10_000}),
    'keys-file': Flags.string({description: 'The API key file (default: <state dir>/gateway/keys.json).'}),
    topic: Flags.string({description: 'Where accepted cards go.', default: 'shop-products'}),
    'dlq-topic': Flags.string({description: 'Where rejected cards go.', default: 'shop-products-dlq'}),
    'catalog-topic': Flags.string({description: 'The catalogue the search index reads.', default: 'filtered-products'}),
    'bans-topic': Flags.string({description: 'The ban list the Admin API writes and the index follows.', default: 'banned-products'}),
    'snapshot-file': Flags.string({description: "Where the index's snapshot lives (default: <state dir>/search/<profile>.snapshot)."}),
  }

  async run(): Promise<{url: string}> {
    const {flags} = this
    const gateway = this.connection().profile
    const logger = workerLogger('mkt-gateway')
    const keysFile = flags['keys-file'] ?? defaultKeysFile(gateway.stateDir)
    const host = flags.host ?? listenHost()
    let https: {key: string; cert: string} | undefined
    if (flags.tls) {
      const {paths} = await ensureCertificates({stateDir: gateway.stateDir, nodes: [{name: 'gateway', hosts: [host]}]})
      const leaf = paths.node('gateway')
      https = {key: fs.readFileSync(leaf.key, 'utf8'), cert: fs.readFileSync(leaf.cert, 'utf8')}
    }
    let url = ''
    await runUntilSignal(
      logger,
      (signal) =>
        startGateway({
          profiles: {gateway, shop: this.connectionAs('shop').profile, client: this.connectionAs('client').profile, admin: this.connectionAs('admin').profile},
          keysFile,
          port: flags.port,
          host,
          rateLimit: flags['rate-limit'],
          maxBatch: flags['max-batch'],
          topics: {cards: flags.topic, dlq: flags['dlq-topic'], catalog: flags['catalog-topic'], bans: flags['bans-topic']},
          ...(flags['snapshot-file'] ? {snapshotFile: flags['snapshot-file']} : {}),
          logger,
          signal,
          version: this.config.version,
          ...(https ? {https} : {}),
        }),
      async (running: GatewayWorker) => {
        url = running.url
        logger.info({url, docs: `${url}/docs`, openapi: `${url}/openapi.json`, keys: running.keys.size, keysFile}, 'serving')
        if (running.keys.size === 0) logger.warn({keysFile}, 'no API keys yet: create one with `mkt gateway keys create`')
        return {close: async () => {}}
      },
    )
    return {url}
  }
}
