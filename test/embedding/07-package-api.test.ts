// Can the Store App import the built package's supervisor without loading the hub itself, and does startHubProcess with no entry fork the package's own command?
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t from 'tap'
import { extraHubArgs } from '../helpers/embedding-hub.js'
import { BIN, hubArgs } from '../helpers/process.js'
import { until } from '../helpers/wait.js'

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url))

/** Every module a built file imports, statically (relative files resolved, bare specifiers as written). */
function importGraph (entry: string): { files: Set<string>, bare: Set<string> } {
  const files = new Set<string>()
  const bare = new Set<string>()
  const todo = [entry]
  for (let i = 0; i < todo.length && i < 1000; i++) {
    const file = todo[i] as string
    if (files.has(file)) continue
    files.add(file)
    const source = readFileSync(file, 'utf8')
    for (const m of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)) {
      const spec = (m[1] ?? m[2]) as string
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec))
      else bare.add(spec)
    }
  }
  return { files, bare }
}

t.test('the supervisor module loads only Node built-ins and its own small files: no Aedes, LevelDB addon or Fastify in the Store App main process', async (t) => {
  const { files, bare } = importGraph(join(DIST, 'supervisor/index.js'))
  const relative = [...files].map((f) => f.slice(DIST.length)).sort()
  t.same(relative, [
    'errors.js',
    'lifecycle/ipc-protocol.js',
    'supervisor/electron-spawn.js',
    'supervisor/fork-child.js',
    'supervisor/index.js',
    'supervisor/restart-policy.js',
    'supervisor/supervisor-errors.js',
    'supervisor/supervisor.js'
  ], 'the type-only modules (hub.js, types.js) are not loaded at all')
  t.ok([...bare].every((s) => s.startsWith('node:')), `only node: built-ins (${[...bare].join(', ')})`)
})

t.test('the command statically loads neither the bridge with mqtt.js nor supabase-js: a hub without bridge.url or registry.supabaseUrl never pays their memory', async (t) => {
  const { files, bare } = importGraph(join(DIST, 'bin/mango-broker.js'))
  const relative = [...files].map((f) => f.slice(DIST.length))
  t.ok(relative.includes('lifecycle/hub.js') && relative.includes('registry/registry.js'), 'the graph reaches the hub and the registry')
  t.same(relative.filter((f) => f.startsWith('bridge/') || f === 'registry/supabase-table.js'), [], 'no bridge module, no Supabase table writer')
  t.same([...bare].filter((s) => s === 'mqtt' || s.startsWith('@supabase/')), [], `no mqtt or @supabase package (${[...bare].sort().join(', ')})`)
})

t.test('the package entry exports the in-process API, the supervisor, the IPC protocol and the envelope', async (t) => {
  const pkg = JSON.parse(readFileSync(join(DIST, '../package.json'), 'utf8')) as { exports: { '.': { default: string } } }
  t.equal(pkg.exports['.'].default, './dist/index.js')
  const api = await import(pathToFileURL(join(DIST, 'index.js')).href) as typeof import('../../src/index.js')
  for (const name of ['createHub', 'loadConfig', 'validateConfig', 'startHubProcess', 'createHubSupervisor', 'forkHub', 'utilityProcessSpawner', 'isHubToParent', 'isParentToHub', 'createMessage', 'checkEnvelope'] as const) {
    t.equal(typeof api[name], 'function', `${name} is a function`)
  }
  t.same(api.SHUTDOWN, { type: 'shutdown' })
  t.same(api.ExitCode, { ok: 0, fatal: 1, config: 2, startup: 3 })
  t.equal(api.DEFAULT_RESTART_POLICY.initialDelayMs, 1000)
  t.equal(api.DEFAULT_ENTRY, BIN, 'the default entry is the package\'s own built command')
})

t.test('startHubProcess from the built package, without an entry, forks the package command and stops it with exit 0', async (t) => {
  const api = await import(pathToFileURL(join(DIST, 'index.js')).href) as typeof import('../../src/index.js')
  let output = ''
  const hub = await api.startHubProcess({
    dataDir: join(t.testdir(), 'data'),
    args: [...hubArgs(join(t.testdir(), 'ignored')).slice(2), ...extraHubArgs()],
    env: { PATH: process.env.PATH ?? '' },
    output: (_s, chunk) => { output += chunk }
  })
  t.teardown(async () => { await hub.stop() })
  t.equal(hub.state, 'ready')
  t.ok(hub.ports !== null && hub.ports.mqtt > 0, 'bound ports are exposed')
  await until(() => output.includes('"msg":"ready"'), 5000, 'the ready log line')
  const line = JSON.parse(output.split('\n').find((l) => l.includes('"msg":"ready"')) ?? '{}') as { dataDir?: string, pid?: number }
  t.equal(line.dataDir, join(t.testdir(), 'data'), 'dataDir was passed as --data-dir and the log reached the output callback')
  t.equal(line.pid, hub.pid)
  t.match((await hub.stop()).exit, { code: 0, requested: true })
})
