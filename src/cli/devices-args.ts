/**
 * The arguments of `mango-broker devices …`, parsed without I/O: a sub-command and its
 * `--flag value` options, every mistake reported as one precise usage error.
 */
import { DEVICE_TYPES } from '../auth/types.js'

/** Help text of the `devices` command. */
export const DEVICES_USAGE = `Usage: mango-broker devices <command> [options]
  add --salon S --type T --id D [--json]   register a device and print its token (shown once)
  list [--json]                            list the devices (never their tokens)
  revoke --id D                            revoke a device: its token stops working at once
  rotate --id D [--json]                   issue a new token: the old one stops working,
                                           a revoked device is enabled again
Types: ${DEVICE_TYPES.join(', ')}
Ids: 1 to 64 letters, digits, "_" or "-". --salon defaults to the hub's salonId.`

/** The sub-commands and the options each takes (`true`: takes a value; `false`: a switch). */
const COMMANDS = {
  add: { '--salon': true, '--type': true, '--id': true, '--json': false },
  list: { '--json': false },
  revoke: { '--id': true },
  rotate: { '--id': true, '--json': false }
} as const

/** A parsed `devices` command line. */
export interface DevicesArgs {
  readonly command: keyof typeof COMMANDS
  /** Option values by name without dashes (`salon`, `type`, `id`); switches hold 'true'. */
  readonly options: Readonly<Record<string, string>>
}

/** A usage mistake: the message says which argument and why. */
export class UsageError extends Error {}

function isCommand (name: string): name is keyof typeof COMMANDS {
  return Object.hasOwn(COMMANDS, name)
}

/** Parse `devices` arguments; throws `UsageError` with a precise message. */
export function parseDevicesArgs (args: readonly string[]): DevicesArgs {
  const [name, ...rest] = args
  if (name === undefined) throw new UsageError('a command is required: add, list, revoke or rotate')
  if (!isCommand(name)) throw new UsageError(`unknown command ${JSON.stringify(name)} (expected add, list, revoke or rotate)`)
  const known: Readonly<Record<string, boolean>> = COMMANDS[name]
  const options: Record<string, string> = {}
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? ''
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg
    const takesValue = known[flag]
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)} for "devices ${name}"`)
    if (takesValue === undefined) throw new UsageError(`unknown option ${JSON.stringify(flag)} for "devices ${name}"`)
    const key = flag.slice(2)
    if (Object.hasOwn(options, key)) throw new UsageError(`${flag} is given twice`)
    if (!takesValue) {
      if (eq > 0) throw new UsageError(`${flag} takes no value`)
      options[key] = 'true'
      continue
    }
    const value = eq > 0 ? arg.slice(eq + 1) : rest[++i]
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${flag} needs a value`)
    options[key] = value
  }
  return { command: name, options }
}
