import { type HubConfig } from '../config/schema.js'
import { loadConfig } from '../config/load.js'
import { ConfigError, ExitCode, MangoError } from '../errors.js'
import { createHub, VERSION } from '../lifecycle/hub.js'
import { createLogger } from '../log/logger.js'
import { attachParent } from '../lifecycle/ipc-child.js'
import { parseArgs, USAGE } from './args.js'

function fail (message: string, code: number): number {
  process.stderr.write(`mango-broker: ${message}\n`)
  return code
}

/**
 * Run the command line. Resolves the exit code, or null while the hub runs (the process then
 * ends through a signal, the parent's shutdown message, or a fatal error).
 */
export async function main (argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number | null> {
  let config: HubConfig
  let command: ReturnType<typeof parseArgs>
  try {
    command = parseArgs(argv)
    if (command.command === 'help') {
      process.stdout.write(USAGE + '\n')
      return ExitCode.ok
    }
    if (command.command === 'version') {
      process.stdout.write(VERSION + '\n')
      return ExitCode.ok
    }
    config = loadConfig({ configFile: command.configFile, env, flags: command })
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message + `\n(run mango-broker --help for usage)`, ExitCode.config)
    throw err
  }
  if (command.command === 'config-check') {
    process.stdout.write('configuration is valid\n')
    return ExitCode.ok
  }
  if (command.command === 'config-print') {
    process.stdout.write(JSON.stringify(redact(config), null, 2) + '\n')
    return ExitCode.ok
  }
  if (command.command === 'devices') {
    const { runDevices } = await import('./devices.js')
    return runDevices(command.rest, config)
  }
  return runHub(config)
}

function redact (config: HubConfig): unknown {
  return JSON.parse(JSON.stringify(config, (key, value: unknown) => /password|secret|token|supabaseKey/i.test(key) && value !== null ? '[redacted]' : value))
}

async function runHub (config: HubConfig): Promise<number | null> {
  const log = createLogger(config.log.level)
  const hub = createHub(config, { log })
  const parent = attachParent(hub)
  let stopping: Promise<void> | null = null
  const stop = (reason: string, code: number): Promise<void> => {
    stopping ??= (async () => {
      log.info({ reason }, 'shutting down')
      const failed = await hub.close()
      parent.detach()
      process.exit(failed.length === 0 ? code : ExitCode.fatal)
    })()
    return stopping
  }
  process.once('SIGINT', () => { void stop('SIGINT', ExitCode.ok) })
  process.once('SIGTERM', () => { void stop('SIGTERM', ExitCode.ok) })
  parent.onShutdown(() => { void stop('shutdown requested by parent', ExitCode.ok) })
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception')
    parent.fatal('MANGO_ERR_FATAL', err.message)
    void stop('uncaught exception', ExitCode.fatal)
  })
  try {
    await hub.start()
  } catch (err) {
    const message = err instanceof MangoError ? err.message : String(err)
    const code = err instanceof MangoError ? err.code : 'MANGO_ERR_FATAL'
    log.fatal({ code, err: err instanceof MangoError ? undefined : err }, `start-up failed: ${message}`)
    process.stderr.write(`mango-broker: start-up failed: ${message}\n`)
    parent.fatal(code, message)
    parent.detach()
    return err instanceof MangoError ? ExitCode.startup : ExitCode.fatal
  }
  return null
}
