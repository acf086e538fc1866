import { ConfigError } from '../errors.js'
import { leafKeys } from '../config/schema.js'
import { parseScalar, setPath } from '../config/sources.js'

/** What the command line asks for. */
export interface ParsedArgs {
  readonly command: 'start' | 'devices' | 'config-check' | 'config-print' | 'help' | 'version'
  readonly configFile: string | null
  /** The flag layer of the configuration (highest precedence). */
  readonly layer: Record<string, unknown>
  readonly sources: Map<string, string>
  /** Arguments after the sub-command (for `devices`). */
  readonly rest: string[]
}

/** Flags that name one configuration key. */
const KEY_FLAGS: Readonly<Record<string, string>> = {
  '--data-dir': 'dataDir',
  '--salon-id': 'salonId',
  '--mqtt-host': 'mqtt.host',
  '--mqtt-port': 'mqtt.port',
  '--ws-port': 'ws.port',
  '--http-host': 'http.host',
  '--http-port': 'http.port',
  '--log-level': 'log.level'
}

export const USAGE = `Usage: mango-broker [start] [options]
       mango-broker devices add --salon S --type T --id D | list [--json] | revoke --id D | rotate --id D   [--config FILE] [--data-dir DIR]
       mango-broker config check|print [options]
Options:
  --config FILE        JSON configuration file (see config/mango-broker.example.json)
  --data-dir DIR       data directory (default ./data)
  --salon-id ID        the salon this hub serves
  --mqtt-host ADDR     --mqtt-port N     --ws-port N (0 disables)
  --http-host ADDR     --http-port N     --log-level LEVEL
  --set KEY=VALUE      any configuration key, e.g. --set limits.maxConnections=80
  -h, --help           this text           -v, --version   the version
Precedence: defaults < config file < MANGO_BROKER_* environment < flags.`

function flagValue (argv: readonly string[], i: number, flag: string): string {
  const value = argv[i + 1]
  if (value === undefined || value.startsWith('--')) throw new ConfigError([`${flag} needs a value`])
  return value
}

/** Parse the process arguments (without node and script). Throws ConfigError on a bad flag. */
export function parseArgs (argv: readonly string[]): ParsedArgs {
  const layer: Record<string, unknown> = {}
  const sources = new Map<string, string>()
  const rest: string[] = []
  const leaves = new Map(leafKeys().map((l) => [l.path, l.node]))
  let command: ParsedArgs['command'] = 'start'
  let configFile: string | null = null
  let i = 0
  const first = argv[0]
  if (first === 'start') i = 1
  else if (first === 'devices') { command = 'devices'; i = 1 } else if (first === 'config') {
    const sub = argv[1]
    if (sub !== 'check' && sub !== 'print') throw new ConfigError([`config needs "check" or "print" (received ${JSON.stringify(sub ?? '')})`])
    command = sub === 'check' ? 'config-check' : 'config-print'
    i = 2
  }
  const problems: string[] = []
  for (; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '-h' || arg === '--help') return { command: 'help', configFile, layer, sources, rest }
    if (arg === '-v' || arg === '--version') return { command: 'version', configFile, layer, sources, rest }
    if (arg === '--config') { configFile = flagValue(argv, i, arg); i++; continue }
    const key = KEY_FLAGS[arg]
    if (key !== undefined) {
      const node = leaves.get(key)
      setPath(layer, key, node === undefined ? flagValue(argv, i, arg) : parseScalar(flagValue(argv, i, arg), node))
      sources.set(key, arg)
      i++
      continue
    }
    if (arg === '--set') {
      const assignment = flagValue(argv, i, arg)
      i++
      const eq = assignment.indexOf('=')
      const path = eq < 0 ? assignment : assignment.slice(0, eq)
      const node = leaves.get(path)
      if (eq < 0 || node === undefined) {
        problems.push(`--set ${assignment}: ${eq < 0 ? 'expected KEY=VALUE' : `"${path}" is not a known key`}`)
        continue
      }
      setPath(layer, path, parseScalar(assignment.slice(eq + 1), node))
      sources.set(path, `--set ${path}`)
      continue
    }
    if (command === 'devices') { rest.push(arg); continue }
    problems.push(`unknown argument ${JSON.stringify(arg)}`)
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return { command, configFile, layer, sources, rest }
}
