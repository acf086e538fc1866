// When the forked hub is killed (SIGKILL, as a crash or Windows' child.kill() would end it), does the supervisor restart it after 1 s on the same port with the persistent sessions and their queued QoS 1 messages intact?
import { join } from 'node:path'
import t from 'tap'
import { type HubExitInfo, type HubReadyInfo, type HubRestartInfo } from '../../src/supervisor/index.js'
import { openSession } from '../helpers/coretests-mqtt.js'
import { freePort, supervisedHub, waitGone } from '../helpers/embedding-hub.js'
import { waitFor } from '../helpers/wait.js'

t.test('a SIGKILLed hub is restarted after 1 s on the same port and a persistent subscriber gets the QoS 1 message queued before the kill, then live ones [MQTT-3.1.2-4] [MQTT-3.1.2-5]', async (t) => {
  const port = await freePort()
  const { supervisor } = supervisedHub(t, join(t.testdir(), 'data'), { extra: ['--mqtt-port', String(port)] })
  const r1 = await supervisor.start()
  t.equal(r1.ports.mqtt, port, 'listening on the fixed port, as the Store App runs it on 1883')

  const store = await openSession(t, { port, clientId: 'store-app', clean: false })
  await store.client.subscribeAsync('salon/s1/pad/signature', { qos: 1 })
  await store.client.endAsync()
  const pad = await openSession(t, { port, clientId: 'pad-1' })
  await pad.client.publishAsync('salon/s1/pad/signature', 'before-crash', { qos: 1 })
  await pad.client.endAsync()

  const exited = waitFor<[HubExitInfo]>(supervisor, 'exit', 10000, 'the exit event')
  const restarted = waitFor<[HubRestartInfo]>(supervisor, 'restart', 10000, 'the restart event')
  const readyAgain = waitFor<[HubReadyInfo]>(supervisor, 'ready', 20000, 'ready after the restart')
  const killedAt = Date.now()
  process.kill(r1.pid, 'SIGKILL')

  const [exit] = await exited
  t.match(exit, { pid: r1.pid, code: null, signal: 'SIGKILL', requested: false, wasReady: true, reason: 'signal SIGKILL' })
  const [restart] = await restarted
  t.same(restart, { restart: 1, delayMs: 1000, crashesInWindow: 1, reason: 'signal SIGKILL' }, 'the first restart waits 1 s, like the seed')
  t.equal(supervisor.state, 'backoff')
  const [r2] = await readyAgain
  const ms = Date.now() - killedAt
  t.ok(ms >= 1000, `ready again ${ms} ms after the kill, not before the backoff`)
  t.not(r2.pid, r1.pid, 'a new process')
  t.equal(r2.restarts, 1)
  t.equal(r2.ports.mqtt, port, 'the restarted hub binds the same port')
  t.equal(supervisor.state, 'ready')
  t.equal(supervisor.restarts, 1)
  await waitGone(r1.pid, 5000)

  const again = await openSession(t, { port, clientId: 'store-app', clean: false })
  t.equal(again.connack.sessionPresent, true, 'the session outlived the crash')
  const pad2 = await openSession(t, { port, clientId: 'pad-1' })
  await pad2.client.publishAsync('salon/s1/pad/signature', 'after-restart', { qos: 1 })
  const got = await again.next(2)
  t.same(got.map((m) => [m.payload, m.qos]), [['before-crash', 1], ['after-restart', 1]], 'the queued message first, then the live one')
  await pad2.client.endAsync()
  await again.client.endAsync()
  t.match((await supervisor.stop()).exit, { pid: r2.pid, code: 0, requested: true })
})
