import fs from 'node:fs'
import path from 'node:path'

import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {javaClientProperties, propertiesText} from '../kafka/java-config.js'
import {SCRAM_MECHANISM} from '../security/principals.js'
import {secretsDir} from '../security/secrets.js'
import {resolveArtifact} from './artifacts.js'
import {runJavaTool} from './java-tool.js'
import {checkJava} from './prerequisites.js'
import {writePrivateFile} from '../config/private-file.js'

const QUIET_LOG4J =
  'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=%p %m%n\n'

/** ConfigCommand's failure (a Java stack trace) as one sentence: its first exception line says what went wrong. */
function explainToolFailure(error: Error, admin: Profile): MktError {
  const as = admin.sasl?.username ?? 'anonymous'
  const cause = /(\w+(?:Exception|Error)): ([^\n]*)/.exec(error.message)
  const summary = cause ? `${cause[1]}: ${cause[2]}` : error.message.split('\n')[0]!
  if (/Authorization/i.test(summary))
    return new MktError(
      `User "${as}" (profile "${admin.name}") is not allowed to manage SCRAM users (${summary}).`,
      'Only the admin can: run with the admin profile (e.g. --profile local).',
      'denied',
      {cause: error},
    )
  if (/Authentication/i.test(summary))
    return new MktError(
      `The brokers refused the credentials of user "${as}" (profile "${admin.name}").`,
      '`mkt users` runs as the admin profile; check its password file.',
      'authentication',
      {cause: error},
    )
  if (/Timeout|timed out|disconnected/i.test(summary))
    return new MktError(
      `Cannot reach the Kafka brokers ${admin.brokers.join(', ')} (profile "${admin.name}").`,
      'Start the runtime with `mkt infra up`.',
      'unreachable',
      {cause: error},
    )
  return new MktError(`Kafka's ConfigCommand failed as "${as}": ${summary}`, 'Run again with DEBUG=mkt* to see its whole output.', 'infra', {cause: error})
}

/**
 * Kafka's ConfigCommand, run as the profile's principal (the admin): neither
 * kafkajs nor librdkafka's JavaScript API can manage SCRAM credentials. The
 * admin's credentials go in a 0600 command-config file and the new password
 * in a 0600 argument file, both deleted when the tool ends.
 */
async function configCommand(admin: Profile, args: string[]): Promise<string> {
  const [java, kafka] = await Promise.all([checkJava(17), resolveArtifact('kafka')])
  const dir = secretsDir(admin.stateDir)
  const commandConfig = path.join(dir, `admin-${process.pid}-${Date.now()}.properties`)
  const log4j = path.join(dir, 'tools-log4j.properties')
  const {'bootstrap.servers': bootstrap, ...client} = javaClientProperties(admin)
  writePrivateFile(commandConfig, propertiesText(client))
  writePrivateFile(log4j, QUIET_LOG4J)
  try {
    const jvm = ['-Xmx256m', `-Dlog4j.configuration=file:${log4j}`, '-cp', `${kafka.dir}/*`]
    const {stdout} = await runJavaTool(
      java.bin,
      jvm,
      {main: 'kafka.admin.ConfigCommand', args: ['--bootstrap-server', bootstrap!, '--command-config', commandConfig, ...args]},
      {secretsDir: dir},
    )
    return stdout
  } catch (error) {
    throw explainToolFailure(error as Error, admin)
  } finally {
    fs.rmSync(commandConfig, {force: true})
  }
}

/** Creates the user or replaces its password. */
export async function upsertScramUser(admin: Profile, name: string, password: string): Promise<void> {
  await configCommand(admin, ['--alter', '--entity-type', 'users', '--entity-name', name, '--add-config', `${SCRAM_MECHANISM}=[password=${password}]`])
}

export async function deleteScramUser(admin: Profile, name: string): Promise<void> {
  await configCommand(admin, ['--alter', '--entity-type', 'users', '--entity-name', name, '--delete-config', SCRAM_MECHANISM])
}

/** Every user with SCRAM credentials, and its mechanisms. */
export async function describeScramUsers(admin: Profile): Promise<Array<{name: string; mechanisms: string[]}>> {
  const out = await configCommand(admin, ['--describe', '--entity-type', 'users'])
  const users: Array<{name: string; mechanisms: string[]}> = []
  for (const line of out.split('\n')) {
    const match = /^SCRAM credential configs for user-principal '(.+)' are (.*)$/.exec(line.trim())
    if (match)
      users.push({
        name: match[1]!,
        mechanisms: match[2]!
          .split(',')
          .map((m) => m.split('=')[0]!.trim())
          .filter((m) => m.startsWith('SCRAM')),
      })
  }
  return users.sort((a, b) => a.name.localeCompare(b.name))
}
