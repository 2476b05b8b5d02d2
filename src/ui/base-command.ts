import {Command, Flags, type Interfaces} from '@oclif/core'
import chalk from 'chalk'

import {loadProfile, type ResolvedProfile} from '../config/index.js'
import {isMktError, MktError} from '../errors.js'
import {explainKafkaError} from '../kafka/client.js'
import {debugEnabled} from '../log.js'
import {awaitProducersDestroyed} from './producers-exit.js'

export type InferredFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type InferredArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/**
 * What every mkt command shares: --json, the connection flags, profile
 * resolution and the error contract (one sentence, a hint, a documented exit
 * code; a stack trace only with DEBUG=mkt*).
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    profile: Flags.string({
      description: 'Connection profile to use (default: the current one, see `mkt profile list`).',
      helpGroup: 'CONNECTION',
      env: 'MKT_PROFILE',
    }),
    'bootstrap-server': Flags.string({description: 'Brokers as host:port[,host:port], overriding the profile (MKT_BROKERS).', helpGroup: 'CONNECTION'}),
    'registry-url': Flags.string({
      description: 'Schema registry URL (Confluent-compatible API), overriding the profile (MKT_SCHEMA_REGISTRY_URL).',
      helpGroup: 'CONNECTION',
    }),
  }

  /** The service principal this command acts as: with profile NAME it runs as NAME:<principal> when that profile exists. */
  static principal?: string

  /** With strict = false: arguments that look like flags but are not this command's go to `positional` as they are (a wrapped tool's own options). */
  static passThrough = false

  protected flags!: InferredFlags<T>
  protected args!: InferredArgs<T>
  /** Positional arguments after flag parsing (for commands with strict = false). */
  protected positional: string[] = []
  private resolved?: ResolvedProfile

  public override async init(): Promise<void> {
    await super.init()
    const {args, argv, flags} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
      ...((this.ctor as typeof BaseCommand).passThrough ? {'--': false} : {}),
    })
    this.flags = flags as InferredFlags<T>
    this.args = args as InferredArgs<T>
    this.positional = argv.map(String)
  }

  /**
   * The active profile after flag > MKT_* env > config file > default.
   * allowUnknown: a --profile that does not exist yet (infra up creates it).
   */
  protected connection(options: {allowUnknown?: boolean} = {}): ResolvedProfile {
    if (!this.resolved) {
      const flags = this.flags as {profile?: string; 'bootstrap-server'?: string; 'registry-url'?: string}
      this.resolved = loadProfile(
        {
          ...(flags.profile ? {profile: flags.profile} : {}),
          ...(flags['bootstrap-server'] ? {'bootstrap-server': flags['bootstrap-server']} : {}),
          ...(flags['registry-url'] ? {'registry-url': flags['registry-url']} : {}),
        },
        {...options, principal: (this.ctor as typeof BaseCommand).principal},
      )
    }
    return this.resolved
  }

  /** The same profile as another principal (the gateway acts as each of its keys' principals). */
  protected connectionAs(principal: string): ResolvedProfile {
    const flags = this.flags as {profile?: string; 'bootstrap-server'?: string; 'registry-url'?: string}
    return loadProfile(
      {
        ...(flags.profile ? {profile: flags.profile} : {}),
        ...(flags['bootstrap-server'] ? {'bootstrap-server': flags['bootstrap-server']} : {}),
        ...(flags['registry-url'] ? {'registry-url': flags['registry-url']} : {}),
      },
      {principal},
    )
  }

  /** Human output goes to stdout only without --json; progress always to stderr. */
  protected get interactive(): boolean {
    return Boolean(process.stderr.isTTY) && !this.jsonEnabled()
  }

  /** Every command, failed or not, lets librdkafka finish destroying its producers before the process exits. */
  protected override async finally(error: Error | undefined): Promise<unknown> {
    await awaitProducersDestroyed(
      (line, fields) => process.stderr.write(`${chalk.dim('mkt:')} ${line} ${JSON.stringify(fields)}\n`),
      // The code the command would have ended with: catch() (ours or oclif's) has set it by now.
      () => Number(process.exitCode ?? (error ? 1 : 0)),
    )
    return super.finally(error)
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    const error = this.resolved ? explainKafkaError(err, this.resolved.profile) : err
    if (!isMktError(error) && err.oclif) return super.catch(err) // parse errors, this.exit(): oclif's own contract
    const known = isMktError(error)
      ? this.resolved
        ? await diagnoseFailure(error, this.resolved.profile)
        : error
      : new MktError(`Unexpected error: ${err.message}`, 'This is a bug in mkt; run again with DEBUG=mkt* for the stack trace and report it.', 'internal', {
          cause: err,
        })
    if (this.jsonEnabled()) {
      this.logJson({error: known.toJSON()})
    } else {
      process.stderr.write(`${chalk.red('Error:')} ${known.message}\n`)
      if (known.suggestion) process.stderr.write(`${chalk.dim('Hint:')} ${known.suggestion}\n`)
    }
    if (debugEnabled()) {
      // The whole chain: an explained error hides the client's own error in its cause.
      for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as {cause?: unknown}).cause, depth++)
        process.stderr.write(`${depth > 0 ? 'Caused by: ' : ''}${(e as Error).stack ?? String(e)}\n`)
    }
    process.exitCode = known.exitCode
    return this.exit(known.exitCode)
  }
}

/** Loaded only when a command fails: the health probes pull in kafkajs, ~50 ms of every command's start otherwise. */
async function diagnoseFailure(error: MktError, profile: ResolvedProfile['profile']): Promise<MktError> {
  const {diagnoseUnreachable} = await import('../kafka/health.js')
  return diagnoseUnreachable(error, profile)
}
