// Does the hub process stop gracefully on SIGTERM and SIGINT, devices connected or not: exit 0 well within its deadline, a `stopped` log line, data kept?
import { join } from 'node:path'
import t from 'tap'
import { hubArgs, spawnHub } from '../helpers/process.js'
import { openSession } from '../helpers/coretests-mqtt.js'

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal} with devices connected exits 0 within the deadline and logs "shutting down" then "stopped"`, async (t) => {
    const dataDir = join(t.testdir(), 'data')
    const hub = spawnHub(t, hubArgs(dataDir, ['--set', 'shutdown.timeoutMs=4000']))
    const ports = await hub.ready()
    const device = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
    await device.client.subscribeAsync('salon/s1/#', { qos: 1 })
    const started = Date.now()
    hub.kill(signal)
    t.equal(await hub.exited(4000), 0, 'exit code 0')
    const ms = Date.now() - started
    t.ok(ms < 4000, `exited in ${ms} ms, inside shutdown.timeoutMs`)
    t.match(await hub.line((l) => l.msg === 'shutting down'), { reason: signal })
    t.match(await hub.line((l) => l.msg === 'stopped'), { level: 30 }, 'a "stopped" line at info')
    t.ok(hub.lines.findIndex((l) => l.msg === 'shutting down') < hub.lines.findIndex((l) => l.msg === 'stopped'), 'in that order')
    t.notOk(hub.lines.some((l) => l.msg === 'stopped with errors'), 'no step failed')
    await device.closed(3000)
    t.pass('the device was disconnected')
  })
}

t.test('SIGTERM keeps what was acknowledged: retained messages and a queued session come back on the next start', async (t) => {
  const dataDir = join(t.testdir(), 'data')
  const first = spawnHub(t, hubArgs(dataDir))
  const p1 = await first.ready()
  const sub = await openSession(t, { port: p1.mqtt, clientId: 'store-app', clean: false })
  await sub.client.subscribeAsync('salon/s1/#', { qos: 1 })
  await sub.client.endAsync()
  const pad = await openSession(t, { port: p1.mqtt, clientId: 'pad-1' })
  await pad.client.publishAsync('salon/s1/waitlist/current', 'retained', { qos: 1, retain: true })
  await pad.client.publishAsync('salon/s1/pad/signature', 'queued', { qos: 1 })
  first.kill('SIGTERM')
  t.equal(await first.exited(10000), 0)

  const second = spawnHub(t, hubArgs(dataDir))
  const p2 = await second.ready()
  const again = await openSession(t, { port: p2.mqtt, clientId: 'store-app', clean: false })
  t.equal(again.connack.sessionPresent, true)
  const got = await again.next(2)
  t.same(got.map((m) => m.payload).sort(), ['queued', 'retained'], 'the queued message and the retained one (the retained message was queued too: it was published to the session)')
  const late = await openSession(t, { port: p2.mqtt, clientId: 'late' })
  await late.client.subscribeAsync('salon/s1/waitlist/current', { qos: 1 })
  t.same(await late.next(1), [{ topic: 'salon/s1/waitlist/current', payload: 'retained', qos: 1, retain: true }], 'the retained message survived')
})

t.test('the log is JSON lines on stdout: a ready line with the bound ports and no payload anywhere', async (t) => {
  const hub = spawnHub(t, hubArgs(join(t.testdir(), 'data')))
  const ports = await hub.ready()
  t.type(ports.mqtt, 'number')
  t.type(ports.http, 'number')
  const pad = await openSession(t, { port: ports.mqtt, clientId: 'pad-1', will: { topic: 'salon/s1/devices/pad-1/status', payload: Buffer.from('WILL-PAYLOAD-SECRET'), qos: 1, retain: false } })
  await pad.client.publishAsync('salon/s1/pad/signature', 'PAYLOAD-SECRET', { qos: 1 })
  pad.client.stream.destroy()
  hub.kill('SIGTERM')
  t.equal(await hub.exited(10000), 0)
  t.ok(hub.lines.length > 0 && hub.lines.every((l) => typeof l.level === 'number' && typeof l.time === 'string'), 'every stdout line is a pino JSON record')
  t.notMatch(JSON.stringify(hub.lines), /SECRET/, 'no payload was logged')
})
