// When the hub cannot start (port taken, data directory locked, configuration invalid), does the supervisor stop restarting it and say why?
import { join } from 'node:path'
import t from 'tap'
import { type HubExitInfo, type SupervisorError } from '../../src/supervisor/index.js'
import { embeddedHubArgs, occupiedPort, rejection, supervisedHub } from '../helpers/embedding-hub.js'
import { spawnHub } from '../helpers/process.js'

t.test('a hub whose MQTT port is taken exits 3 each time; the supervisor restarts it with growing delays, then gives up naming the port', async (t) => {
  const port = await occupiedPort(t)
  const { supervisor } = supervisedHub(t, join(t.testdir(), 'data'), {
    extra: ['--mqtt-port', String(port)],
    restart: { initialDelayMs: 100, factor: 2, maxCrashes: 3 }
  })
  const exits: HubExitInfo[] = []
  const delays: number[] = []
  supervisor.on('exit', (e) => { exits.push(e) })
  supervisor.on('restart', (r) => { delays.push(r.delayMs) })
  let gaveUp: SupervisorError | null = null
  supervisor.on('gave-up', (e) => { gaveUp = e })

  const err = await rejection(supervisor.start())
  t.equal(err.code, 'MANGO_ERR_SUPERVISOR_GAVE_UP')
  t.match(err.message, new RegExp(`^mango-broker supervisor gave up: crash loop: 3 crashes within 60 s; last exit: exit code 3 \\(MANGO_ERR_LISTEN: MQTT port ${port} on 127\\.0\\.0\\.1 is already in use`), err.message)
  t.equal(gaveUp, err, 'the gave-up event carries the same error')
  t.same(exits.map((e) => e.code), [3, 3, 3], 'three start-up failures (exit 3)')
  t.ok(exits.every((e) => e.error?.code === 'MANGO_ERR_LISTEN' && !e.wasReady && !e.requested), 'each sent its error message over IPC before exiting')
  t.same(delays, [100, 200], 'two restarts with doubling delays, none after the third crash')
  t.equal(supervisor.state, 'gave-up')
  t.equal(supervisor.pid, null, 'no process left running')
  t.same(await supervisor.stop(), { exit: null }, 'stop() after giving up has nothing to stop')
})

t.test('a data directory locked by a running hub: the supervised hub exits 3 with MANGO_ERR_STORE_LOCKED and the supervisor gives up', async (t) => {
  const dataDir = join(t.testdir(), 'data')
  const holder = spawnHub(t, embeddedHubArgs(dataDir))
  await holder.ready()
  const { supervisor } = supervisedHub(t, dataDir, { restart: { initialDelayMs: 50, maxCrashes: 2 } })
  const err = await rejection(supervisor.start())
  t.match(err.message, /crash loop: 2 crashes within 60 s; last exit: exit code 3 \(MANGO_ERR_STORE_LOCKED: data directory .* is locked by another running hub/)
  t.equal(supervisor.restarts, 1)
})

t.test('an invalid configuration gives up at once, without a restart, with the problem from stderr', async (t) => {
  const { supervisor } = supervisedHub(t, join(t.testdir(), 'data'), { extra: ['--set', 'limits.maxConnections=0'] })
  let restarted = false
  supervisor.on('restart', () => { restarted = true })
  const err = await rejection(supervisor.start())
  t.match(err.message, /gave up: the configuration is invalid \(exit code 2\); restarting cannot help; last exit: exit code 2 stderr: mango-broker: invalid configuration: .*limits\.maxConnections/)
  t.match(err.lastExit, { code: 2, error: null })
  t.notOk(restarted, 'no restart')
  t.equal(supervisor.restarts, 0)
})
