// When the Store App that forked the hub dies without a word (SIGKILL), does the hub notice (closed IPC channel, or under Electron's parentPort a vanished parent), close gracefully and exit, releasing port and LevelDB lock, instead of living on as an orphan?
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { openSession } from '../helpers/coretests-mqtt.js'
import { embeddedHubArgs, killAtTeardown, PARENT, processGone, waitGone } from '../helpers/embedding-hub.js'
import { PARENT_PORT_SHIM } from '../helpers/embedding-electron.js'
import { BIN, spawnHub } from '../helpers/process.js'
import { until } from '../helpers/wait.js'

/** Fork the hub from a throwaway parent, SIGKILL the parent, and check that the hub closes and exits. */
async function orphanExits (t: Test, parentEnv: Record<string, string>): Promise<void> {
  const dataDir = join(t.testdir(), 'data')
  const hubLog = join(t.testdir(), 'hub.log')
  const parent = spawn(process.execPath, [PARENT, BIN, ...embeddedHubArgs(dataDir)], {
    env: { PATH: process.env.PATH ?? '', HUB_LOG: hubLog, ...parentEnv },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const parentExit = once(parent, 'exit')
  t.teardown(() => { if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL') })
  let out = ''
  parent.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
  await until(() => out.includes('\n'), 15000, 'the parent to report the hub ready')
  const { hubPid, ports } = JSON.parse(out.split('\n')[0] as string) as { hubPid: number, ports: { mqtt: number } }
  killAtTeardown(t, hubPid)
  t.notOk(processGone(hubPid), 'the hub runs')

  const store = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await store.client.subscribeAsync('salon/s1/#', { qos: 1 })

  parent.kill('SIGKILL')
  t.same((await parentExit).slice(1), ['SIGKILL'], 'the parent is dead')
  await waitGone(hubPid, 15000)
  t.pass('the orphaned hub exited')
  await store.closed(5000)

  const lines = readFileSync(hubLog, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
  t.match(lines.find((l) => l.msg === 'shutting down'), { reason: 'shutdown requested by parent' }, 'the closed channel counts as a shutdown request')
  t.ok(lines.some((l) => l.msg === 'stopped'), 'the hub closed cleanly (LevelDB closed, not abandoned)')

  const next = spawnHub(t, embeddedHubArgs(dataDir, ['--mqtt-port', String(ports.mqtt)]))
  const p = await next.ready()
  t.equal(p.mqtt, ports.mqtt, 'the port was released')
  const again = await openSession(t, { port: p.mqtt, clientId: 'store-app', clean: false })
  t.equal(again.connack.sessionPresent, true, 'the LevelDB lock was released and the session kept')
  await again.client.endAsync()
}

t.test('the hub exits gracefully when its parent is SIGKILLed (the IPC channel closes), and the next hub can open the same data directory and port', async (t) => {
  await orphanExits(t, {})
})

t.test('under Electron\'s process.parentPort (emulated; no disconnect event there) the hub notices the dead parent within seconds and exits gracefully', async (t) => {
  await orphanExits(t, { PARENT_PORT_SHIM })
})
