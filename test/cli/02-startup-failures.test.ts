// Does a hub that cannot start (port taken, data directory unusable or locked, certificate missing) exit 3 with a one-line reason naming what failed?
import { once } from 'node:events'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { hubArgs, spawnHub } from '../helpers/process.js'
import { logLines, runCli } from '../helpers/coretests-cli.js'
import { get } from '../helpers/coretests-http.js'

/** Hold a port on 127.0.0.1 for the test. */
async function occupy (t: Test): Promise<number> {
  const server: Server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const address = server.address()
  return typeof address === 'object' && address !== null ? address.port : 0
}

/** The stderr of a failed start: exactly one line, which is returned. */
function oneLine (t: Test, stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '')
  t.equal(lines.length, 1, `one line on stderr: ${JSON.stringify(stderr)}`)
  return lines[0] ?? ''
}

t.test('an MQTT port in use exits 3 with one line naming the port, and leaves the data directory unlocked', async (t) => {
  const port = await occupy(t)
  const dataDir = join(t.testdir(), 'data')
  const run = await runCli(hubArgs(dataDir, ['--mqtt-port', String(port)]))
  t.equal(run.code, 3, 'exit code 3: start-up')
  t.equal(oneLine(t, run.stderr), `mango-broker: start-up failed: MQTT port ${port} on 127.0.0.1 is already in use (another broker running?)`)
  t.match(logLines(run.stdout).find((l) => l.level === 60), { code: 'MANGO_ERR_LISTEN', msg: /start-up failed: MQTT port/ }, 'a fatal log line with the error code')
  const retry = spawnHub(t, hubArgs(dataDir))
  await retry.ready()
  t.pass('the same data directory opens right after: the failed start closed LevelDB')
})

t.test('an HTTP port in use exits 3 with one line naming the port', async (t) => {
  const port = await occupy(t)
  const run = await runCli(hubArgs(join(t.testdir(), 'data'), ['--http-port', String(port)]))
  t.equal(run.code, 3)
  t.equal(oneLine(t, run.stderr), `mango-broker: start-up failed: HTTP port ${port} on 127.0.0.1 is already in use`)
})

t.test('a WebSocket port in use exits 3 with one line naming the port', async (t) => {
  const port = await occupy(t)
  const run = await runCli(hubArgs(join(t.testdir(), 'data'), ['--ws-port', String(port), '--set', 'ws.host=127.0.0.1']))
  t.equal(run.code, 3)
  t.match(oneLine(t, run.stderr), `WebSocket port ${port} on 127.0.0.1 is already in use`)
})

t.test('a data directory whose parent does not exist exits 3 naming both', async (t) => {
  const dataDir = join(t.testdir(), 'missing-parent', 'data')
  const run = await runCli(hubArgs(dataDir))
  t.equal(run.code, 3)
  t.equal(oneLine(t, run.stderr), `mango-broker: start-up failed: data directory ${dataDir} does not exist, nor does its parent ${join(t.testdir(), 'missing-parent')}: create it or set dataDir`)
})

t.test('a data directory that cannot be written exits 3 naming it', async (t) => {
  const dir = t.testdir()
  let dataDir: string
  if (process.getuid?.() === 0) {
    // root ignores mode bits (CI runs as root): a path under a regular file is unusable for anyone
    writeFileSync(join(dir, 'a-file'), 'not a directory')
    dataDir = join(dir, 'a-file', 'data')
    t.comment('running as root: the data directory is a path under a regular file')
  } else {
    dataDir = join(dir, 'read-only')
    mkdirSync(dataDir)
    chmodSync(dataDir, 0o500)
    t.teardown(() => { chmodSync(dataDir, 0o700) })
  }
  const run = await runCli(hubArgs(dataDir))
  t.equal(run.code, 3)
  t.match(oneLine(t, run.stderr), new RegExp(`^mango-broker: start-up failed: data directory ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (cannot be read: ENOTDIR|is not writable by this user)$`))
})

t.test('a data directory in use by another running hub exits 3 "locked by another running hub", and the first keeps running', async (t) => {
  const dataDir = join(t.testdir(), 'data')
  const first = spawnHub(t, hubArgs(dataDir))
  const ports = await first.ready()
  const second = await runCli(hubArgs(dataDir))
  t.equal(second.code, 3)
  t.match(oneLine(t, second.stderr), `data directory ${dataDir} is locked by another running hub`)
  const ready = await get(ports.http as number, '/ready')
  t.equal(ready.status, 200, 'the first hub is still ready')
})

t.test('a TLS certificate file that does not exist exits 3 naming the key and the file', async (t) => {
  const dir = t.testdir()
  const run = await runCli(hubArgs(join(dir, 'data'), ['--set', `tls.cert=${join(dir, 'none.crt')}`, '--set', `tls.key=${join(dir, 'none.key')}`, '--set', 'tls.port=0']))
  t.equal(run.code, 3)
  t.equal(oneLine(t, run.stderr), `mango-broker: start-up failed: tls.cert ${join(dir, 'none.crt')} cannot be read: ENOENT`)
})
