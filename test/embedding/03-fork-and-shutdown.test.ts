// Does the built hub, forked by the supervisor, report ready over IPC, stop with exit 0 on the shutdown message, and keep its retained messages and persistent sessions for the next start?
import { join } from 'node:path'
import t from 'tap'
import { VERSION } from '../../src/lifecycle/hub.js'
import { openSession } from '../helpers/coretests-mqtt.js'
import { processGone, supervisedHub, waitGone } from '../helpers/embedding-hub.js'

t.test('the forked hub reports ready with its bound ports, version and pid, and answers /ready', async (t) => {
  const { supervisor } = supervisedHub(t, join(t.testdir(), 'data'))
  const ready = await supervisor.start()
  t.equal(ready.version, VERSION)
  t.equal(ready.restarts, 0)
  t.ok(ready.ports.mqtt > 0 && ready.ports.http !== null && ready.ports.http > 0, `bound ports ${JSON.stringify(ready.ports)}`)
  t.equal(ready.ports.ws, null, 'WebSocket off as configured')
  t.not(ready.pid, process.pid, 'a separate process')
  t.equal(supervisor.pid, ready.pid)
  t.equal(supervisor.state, 'ready')
  const res = await fetch(`http://127.0.0.1:${ready.ports.http ?? 0}/ready`)
  t.equal(res.status, 200, '/ready answers 200')
})

t.test('shutdown ends the hub with exit 0 after a graceful close, and the next start has the retained message and the queued session [MQTT-3.1.2-4] [MQTT-3.3.1-6]', async (t) => {
  const dataDir = join(t.testdir(), 'data')
  const first = supervisedHub(t, dataDir)
  const r1 = await first.supervisor.start()
  const store = await openSession(t, { port: r1.ports.mqtt, clientId: 'store-app', clean: false })
  await store.client.subscribeAsync('salon/s1/#', { qos: 1 })
  await store.client.endAsync()
  const pad = await openSession(t, { port: r1.ports.mqtt, clientId: 'pad-1' })
  await pad.client.publishAsync('salon/s1/waitlist/current', 'waitlist-v1', { qos: 1, retain: true })
  await pad.client.publishAsync('salon/s1/pad/signature', 'signature-1', { qos: 1 })
  await pad.client.endAsync()

  const { exit } = await first.supervisor.stop()
  t.match(exit, { pid: r1.pid, code: 0, signal: null, requested: true, forced: false, wasReady: true, error: null })
  t.equal(first.supervisor.state, 'stopped')
  const lines = first.output.lines()
  t.match(lines.find((l) => l.msg === 'shutting down'), { reason: 'shutdown requested by parent' }, 'the hub says why it stops')
  t.ok(lines.some((l) => l.msg === 'stopped'), 'and that it stopped cleanly')
  t.ok(processGone(r1.pid), 'the process is gone')

  const second = supervisedHub(t, dataDir)
  const r2 = await second.supervisor.start()
  t.not(r2.pid, r1.pid)
  const again = await openSession(t, { port: r2.ports.mqtt, clientId: 'store-app', clean: false })
  t.equal(again.connack.sessionPresent, true, 'the persistent session survived the restart')
  const queued = await again.next(2)
  t.same(queued.map((m) => [m.topic, m.payload, m.qos]).sort(), [
    ['salon/s1/pad/signature', 'signature-1', 1],
    ['salon/s1/waitlist/current', 'waitlist-v1', 1]
  ], 'both messages published while the Store App was away reach its session')
  const kiosk = await openSession(t, { port: r2.ports.mqtt, clientId: 'check-in' })
  await kiosk.client.subscribeAsync('salon/s1/waitlist/current', { qos: 1 })
  const [retained] = await kiosk.next(1)
  t.match(retained, { topic: 'salon/s1/waitlist/current', payload: 'waitlist-v1', retain: true }, 'the retained message is served to a new subscriber')
  await kiosk.client.endAsync()
  await again.client.endAsync()
  t.match((await second.supervisor.stop()).exit, { code: 0, requested: true })
  await waitGone(r2.pid, 5000)
})
