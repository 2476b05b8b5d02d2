import fs from 'node:fs'
import path from 'node:path'

import type {RuntimeLayout, ServiceNode} from './graph.js'
import type {LaunchSpec} from './process.js'

/**
 * Apicurio with SQL storage in an H2 file under the state dir, so schemas
 * survive `infra down` + `infra up` (the default H2 is in-memory).
 */
export function registryLaunch(java: string, jar: string, layout: RuntimeLayout, node: ServiceNode): LaunchSpec {
  fs.mkdirSync(node.dataDir, {recursive: true})
  return {
    command: java,
    args: [
      '-Xms128m',
      '-Xmx512m',
      `-Dmkt.service=${node.name}`,
      `-Dmkt.state=${layout.stateDir}`,
      '-Djava.util.logging.manager=org.jboss.logmanager.LogManager',
      '-jar',
      jar,
    ],
    env: {
      QUARKUS_HTTP_HOST: layout.host,
      QUARKUS_HTTP_PORT: String(node.ports.http),
      QUARKUS_PROFILE: 'prod',
      APICURIO_STORAGE_KIND: 'sql',
      APICURIO_STORAGE_SQL_KIND: 'h2',
      APICURIO_DATASOURCE_URL: `jdbc:h2:file:${path.join(node.dataDir, 'registry')}`,
      APICURIO_DATASOURCE_USERNAME: 'sa',
      APICURIO_DATASOURCE_PASSWORD: 'sa',
      // Fewer idle connections than the server defaults: this is one local process.
      APICURIO_DATASOURCE_JDBC_INITIAL_SIZE: '2',
      APICURIO_DATASOURCE_JDBC_MIN_SIZE: '2',
      APICURIO_DATASOURCE_JDBC_MAX_SIZE: '10',
    },
    cwd: node.dataDir,
  }
}

export function registryHealthUrl(layout: RuntimeLayout, node: ServiceNode): string {
  return `http://${layout.host}:${node.ports.http}/health/ready`
}
