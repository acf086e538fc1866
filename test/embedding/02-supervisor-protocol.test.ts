// Does the supervisor handle each way a child can behave on the IPC channel: ready, status, junk, a hang at start, a refusal to stop, an early exit?
import t, { type Test } from 'tap'
import { createHubSupervisor, type HubProcessOptions, type HubStatusInfo, type HubSupervisor, type SupervisorError } from '../../src/supervisor/index.js'
import { FAKE_HUB, processGone, rejection, waitGone } from '../helpers/embedding-hub.js'
import { until, waitFor } from '../helpers/wait.js'

/** A supervisor of the fake hub in `mode`, stopped at teardown. */
function fake (t: Test, mode: string, options: HubProcessOptions = {}): { supervisor: HubSupervisor, output: () => string } {
  let text = ''
  const supervisor = createHubSupervisor({
    entry: FAKE_HUB,
    env: { PATH: process.env.PATH ?? '', FAKE_HUB_MODE: mode },
    output: (_s, chunk) => { text += chunk },
    ...options
  })
  t.teardown(async () => { await supervisor.stop() })
  return { supervisor, output: () => text }
}

t.test('start() resolves at ready with pid, ports and version; status messages become status events; stop() ends it with exit 0', async (t) => {
  const { supervisor } = fake(t, 'status')
  const statuses: HubStatusInfo[] = []
  supervisor.on('status', (s) => { statuses.push(s) })
  t.equal(supervisor.state, 'idle')
  const ready = await supervisor.start()
  t.match(ready, { ports: { mqtt: 1883, ws: null, tls: null, http: 8080 }, version: '0.0.0-fake', restarts: 0 })
  t.equal(supervisor.state, 'ready')
  t.equal(supervisor.pid, ready.pid, 'the pid the hub reported')
  t.same(supervisor.ports, ready.ports)
  await until(() => statuses.length >= 2, 5000, 'two status events')
  t.same(statuses, [
    { component: 'bridge', state: 'connecting' },
    { component: 'bridge', state: 'online', detail: { url: 'mqtts://cloud.example:8883' } }
  ], 'both status messages, in order, without their type field')
  const { exit } = await supervisor.stop()
  t.match(exit, { pid: ready.pid, code: 0, signal: null, requested: true, forced: false, wasReady: true, error: null })
  t.equal(supervisor.state, 'stopped')
  t.equal(supervisor.pid, null)
  t.equal(supervisor.ports, null, 'no ports once the hub is gone')
  t.ok(processGone(ready.pid))
})

t.test('a hub that ignores shutdown is killed with SIGKILL at the stop deadline', async (t) => {
  const { supervisor } = fake(t, 'ignore-shutdown', { stopTimeoutMs: 500 })
  const { pid } = await supervisor.start()
  const started = Date.now()
  const { exit } = await supervisor.stop()
  const ms = Date.now() - started
  t.match(exit, { code: null, signal: 'SIGKILL', requested: true, forced: true })
  t.match(exit?.reason, /after the stop deadline/)
  t.ok(ms >= 500 && ms < 5000, `killed after the 500 ms deadline (${ms} ms)`)
  t.equal(supervisor.state, 'stopped', 'a forced stop is still a stop, not a crash to restart')
  t.ok(processGone(pid))
})

t.test('a hub that never reports ready is killed at the ready timeout, counted as a crash, and the supervisor gives up with the reason', async (t) => {
  const { supervisor } = fake(t, 'never-ready', { readyTimeoutMs: 300, restart: { initialDelayMs: 50, maxCrashes: 2 } })
  const spawned: Array<number | null> = []
  const restarts: number[] = []
  supervisor.on('spawn', (s) => { spawned.push(s.pid) })
  supervisor.on('restart', (r) => { restarts.push(r.delayMs) })
  const gaveUp = waitFor<[SupervisorError]>(supervisor, 'gave-up', 10000)
  const err = await rejection(supervisor.start())
  t.equal(err.code, 'MANGO_ERR_SUPERVISOR_GAVE_UP')
  t.match(err.message, /crash loop: 2 crashes within 60 s; last exit: no ready message within 300 ms, killed \(signal SIGKILL\)/)
  t.equal((await gaveUp)[0], err, 'the gave-up event carries the same error')
  t.same(restarts, [50], 'one restart, after the initial delay')
  t.equal(spawned.length, 2, 'two processes were forked')
  t.equal(supervisor.state, 'gave-up')
  t.equal(supervisor.pid, null, 'nothing runs after giving up')
  for (const pid of spawned) if (pid !== null) await waitGone(pid, 5000)
})

t.test('malformed messages are ignored and the well-formed ready still counts', async (t) => {
  const { supervisor } = fake(t, 'junk')
  const ready = await supervisor.start()
  t.same(ready.ports, { mqtt: 1883, ws: null, tls: null, http: 8080 })
  t.equal(ready.version, '0.0.0-fake', 'not the junk ready with version 1')
})

t.test('an exit 0 nobody asked for is not restarted and start() says the hub exited before it was ready', async (t) => {
  const { supervisor } = fake(t, 'exit-0')
  let restarted = false
  supervisor.on('restart', () => { restarted = true })
  const err = await rejection(supervisor.start())
  t.equal(err.code, 'MANGO_ERR_SUPERVISOR_EXITED')
  t.match(err.message, /exited before it was ready: exit code 0/)
  t.equal(supervisor.state, 'stopped')
  t.notOk(restarted)
  t.match(supervisor.lastExit, { code: 0, requested: false, wasReady: false })
})

t.test('a crash restarts with the configured delay; stop() while waiting cancels the restart', async (t) => {
  const { supervisor } = fake(t, 'crash', { restart: { initialDelayMs: 200 } })
  let spawns = 0
  supervisor.on('spawn', () => { spawns++ })
  const exited = waitFor<[{ code: number, reason: string, stderrTail: string }]>(supervisor, 'exit', 10000)
  const restart = waitFor<[{ restart: number, delayMs: number, crashesInWindow: number, reason: string }]>(supervisor, 'restart', 10000)
  const first = supervisor.start()
  const [exit] = await exited
  t.match(exit, { code: 1, reason: 'exit code 1 stderr: fake-hub: simulated crash', stderrTail: 'fake-hub: simulated crash\n' }, 'the exit explains itself with the stderr tail')
  const [r] = await restart
  t.same(r, { restart: 1, delayMs: 200, crashesInWindow: 1, reason: exit.reason })
  t.equal(supervisor.state, 'backoff')
  t.same(await supervisor.stop(), { exit: null }, 'nothing was running to stop')
  t.equal(supervisor.state, 'stopped')
  t.equal((await rejection(first)).code, 'MANGO_ERR_SUPERVISOR_STOPPED')
  // Observing an absence needs a window: three times the restart delay, and no second fork.
  await new Promise((resolve) => setTimeout(resolve, 600))
  t.equal(spawns, 1, 'the pending restart was cancelled')
})

t.test('stop() while the hub is still starting (not yet listening for messages) still stops it gracefully', async (t) => {
  const { supervisor } = fake(t, 'late-listener', { stopTimeoutMs: 5000 })
  const spawn = waitFor<[{ pid: number | null }]>(supervisor, 'spawn', 5000)
  const first = supervisor.start()
  await spawn
  t.equal(supervisor.state, 'starting')
  const { exit } = await supervisor.stop()
  t.match(exit, { code: 0, requested: true, forced: false }, 'exit 0 without SIGKILL')
  t.equal((await rejection(first)).code, 'MANGO_ERR_SUPERVISOR_STOPPED', 'start() rejects: it was stopped before ready')
})

t.test('stop() is idempotent, and a supervisor stopped before start() refuses to start', async (t) => {
  const { supervisor } = fake(t, 'status')
  await supervisor.start()
  const a = supervisor.stop()
  const b = supervisor.stop()
  t.equal(a, b, 'the same promise')
  t.match(await a, { exit: { code: 0 } })
  const never = createHubSupervisor({ entry: FAKE_HUB })
  t.same(await never.stop(), { exit: null })
  t.equal((await rejection(never.start())).code, 'MANGO_ERR_SUPERVISOR_STOPPED')
})

t.test('a spawn function that throws counts as a crash and its message reaches the error', async (t) => {
  const supervisor = createHubSupervisor({ spawn: () => { throw new Error('no such runtime') }, restart: { maxCrashes: 1 } })
  const err = await rejection(supervisor.start())
  t.match(err.message, /gave up: crash loop: 1 crashes within 60 s; last exit: could not be started: no such runtime/)
  t.match(err.lastExit, { pid: null, code: null, signal: null })
})

t.test('invalid options are refused at creation, naming each problem', async (t) => {
  t.throws(() => createHubSupervisor({ readyTimeoutMs: 0, restart: { maxCrashes: 0 } }), {
    code: 'MANGO_ERR_SUPERVISOR_OPTIONS',
    message: 'invalid hub process options: restart.maxCrashes must be an integer >= 1 (received 0); readyTimeoutMs must be > 0 (received 0)'
  })
})
