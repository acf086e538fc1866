// Does the systemd unit run the hub the way the hub expects (flags it accepts, a stop timeout above its shutdown deadline, no restart on a bad configuration) with the hardening asked for, and does systemd accept it?
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { coreProperties } from '../../src/config/sections/core.js'
import { ExitCode } from '../../src/errors.js'
import { runCli } from '../helpers/coretests-cli.js'

const UNIT_FILE = fileURLToPath(new URL('../../config/mango-broker.service', import.meta.url))
const UNIT_TEXT = readFileSync(UNIT_FILE, 'utf8')

/** `[Section]` → key → values, in file order (a key may repeat). */
function parseUnit (text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>()
  let current: Map<string, string[]> | null = null
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[(.+)\]$/.exec(line)
    if (header !== null) {
      current = new Map()
      sections.set(header[1] as string, current)
      continue
    }
    const eq = line.indexOf('=')
    if (current === null || eq < 0) throw new Error(`not a unit line: ${line}`)
    const key = line.slice(0, eq)
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)])
  }
  return sections
}

const unit = parseUnit(UNIT_TEXT)
const service = unit.get('Service') ?? new Map<string, string[]>()
const one = (key: string): string | undefined => service.get(key)?.at(-1)

t.test('the service runs as the dedicated user with its data in /var/lib/mango-broker and restarts on failure only', async (t) => {
  t.equal(one('User'), 'mango-broker')
  t.equal(one('Group'), 'mango-broker')
  t.equal(one('StateDirectory'), 'mango-broker', 'systemd creates /var/lib/mango-broker owned by the user')
  t.equal(one('WorkingDirectory'), '/var/lib/mango-broker')
  t.equal(one('Restart'), 'on-failure', 'exit 0 (a requested stop) is not restarted')
  t.equal(one('RestartPreventExitStatus'), String(ExitCode.config), 'an invalid configuration (exit 2) is not restarted')
  t.equal(unit.get('Install')?.get('WantedBy')?.[0], 'multi-user.target')
})

t.test('the hardening options are set and no capability is granted, since every default port is above 1024', async (t) => {
  for (const [key, value] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'], ['ReadWritePaths', '/var/lib/mango-broker']]) {
    t.equal(one(key as string), value, `${key as string}=${value as string}`)
  }
  t.equal(one('CapabilityBoundingSet'), '', 'an empty capability bounding set')
  t.equal(one('AmbientCapabilities'), '', 'no ambient capability')
  const defaults = [coreProperties.mqtt.properties.port.default, coreProperties.ws.properties.port.default, coreProperties.tls.properties.port.default, coreProperties.http.properties.port.default]
  t.ok(defaults.every((p) => p > 1024), `default ports ${defaults.join(', ')} need no CAP_NET_BIND_SERVICE`)
  t.notOk(service.has('MemoryDenyWriteExecute'), 'not set: V8\'s JIT needs it off')
})

t.test('SIGTERM stops the hub and systemd waits longer than the hub\'s own shutdown deadline before SIGKILL', async (t) => {
  t.equal(one('KillSignal'), 'SIGTERM')
  const stop = /^(\d+)s$/.exec(one('TimeoutStopSec') ?? '')
  t.ok(stop !== null, 'TimeoutStopSec in seconds')
  const deadline = coreProperties.shutdown.properties.timeoutMs.default
  t.ok(Number(stop?.[1]) * 1000 > deadline, `TimeoutStopSec ${one('TimeoutStopSec') ?? ''} > shutdown.timeoutMs ${deadline} ms`)
})

t.test('ExecStart runs the package\'s command with flags the hub accepts', async (t) => {
  const [node, script, ...args] = (one('ExecStart') ?? '').split(/\s+/)
  t.equal(node, '/usr/bin/node')
  t.equal(script, '/opt/mango-broker/dist/bin/mango-broker.js', 'the package\'s bin (package.json "bin")')
  t.same(args, ['--config', '/etc/mango-broker/config.json', '--data-dir', '/var/lib/mango-broker'])
  const dir = t.testdir()
  const config = join(dir, 'config.json')
  writeFileSync(config, JSON.stringify({ salonId: 's1' }))
  mkdirSync(join(dir, 'data'))
  const swapped = args.map((a) => a === '/etc/mango-broker/config.json' ? config : a === '/var/lib/mango-broker' ? join(dir, 'data') : a)
  const run = await runCli(['config', 'check', ...swapped])
  t.equal(run.code, 0, `mango-broker config check ${swapped.join(' ')}: ${run.stderr}`)
})

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' })
t.test('systemd-analyze verify accepts the unit without a warning', { skip: analyze.status === 0 ? false : 'systemd-analyze is not installed (Debian package systemd)' }, async (t) => {
  // verify checks that the ExecStart binary exists: point it at this Node, the rest unchanged.
  const copy = join(t.testdir(), 'mango-broker.service')
  writeFileSync(copy, UNIT_TEXT.replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `))
  const res = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8', timeout: 30000 })
  t.equal(res.status, 0, 'exit 0')
  t.equal(res.stderr.trim(), '', 'no warning (systemd ignores a bad value with a warning and exit 0)')
})
