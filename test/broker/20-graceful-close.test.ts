// Does a graceful close with devices still connected stop accepting, disconnect them, keep their sessions and finish well inside its deadline?
import { join } from 'node:path'
import t from 'tap'
import { startHub } from '../helpers/hub.js'
import { openSession } from '../helpers/coretests-mqtt.js'
import { freePort, rawConnect } from '../helpers/coretests-raw.js'
import { selfSigned } from '../helpers/coretests-tls.js'
import { readFileSync } from 'node:fs'

t.test('close() with TCP, WebSocket and TLS clients connected finishes within a second, every step clean, every client disconnected', async (t) => {
  const dir = t.testdir()
  const pem = await selfSigned(dir)
  const wsPort = await freePort()
  const { hub, ports } = await startHub(t, {
    ws: { host: '127.0.0.1', port: wsPort },
    tls: { host: '127.0.0.1', port: 0, cert: pem.cert, key: pem.key },
    shutdown: { timeoutMs: 5000 }
  }, { dataDir: join(dir, 'data') })
  const tcp = await openSession(t, { port: ports.mqtt, clientId: 'tcp' })
  const ws = await openSession(t, { url: `ws://127.0.0.1:${wsPort}/mqtt`, clientId: 'ws' })
  const tls = await openSession(t, { protocol: 'mqtts', port: ports.tls as number, ca: readFileSync(pem.cert), rejectUnauthorized: true, clientId: 'tls' })
  const started = Date.now()
  const failed = await hub.close()
  const ms = Date.now() - started
  t.same(failed, [], 'no step failed or missed the deadline')
  t.ok(ms < 1000, `closed in ${ms} ms, not at the deadline`)
  await Promise.all([tcp.closed(3000), ws.closed(3000), tls.closed(3000)])
  t.pass('every client connection was closed by the hub')
})

t.test('after close() the MQTT port refuses connections', async (t) => {
  const { hub, ports } = await startHub(t)
  await openSession(t, { port: ports.mqtt, clientId: 'connected' })
  t.same(await hub.close(), [])
  const refused = await rawConnect(t, ports.mqtt).then(() => 'connected', (err: NodeJS.ErrnoException) => err.code)
  t.equal(refused, 'ECONNREFUSED', 'nothing listens any more')
})

t.test('a persistent session connected when the hub closes keeps its subscription and queue at the next start', async (t) => {
  const first = await startHub(t, { shutdown: { timeoutMs: 5000 } })
  const sub = await openSession(t, { port: first.ports.mqtt, clientId: 'store-app', clean: false })
  await sub.client.subscribeAsync('salon/s1/#', { qos: 1 })
  const pad = await openSession(t, { port: first.ports.mqtt, clientId: 'pad-1' })
  await sub.client.endAsync()
  await pad.client.publishAsync('salon/s1/pad/signature', 'queued before the stop', { qos: 1 })
  t.same(await first.hub.close(), [], 'closed cleanly with pad-1 still connected')

  const second = await startHub(t, {}, { dataDir: first.dataDir })
  const again = await openSession(t, { port: second.ports.mqtt, clientId: 'store-app', clean: false })
  t.equal(again.connack.sessionPresent, true, 'the session is present after the restart')
  t.same((await again.next(1)).map((m) => m.payload), ['queued before the stop'])
})

t.test('the will of a device connected when the hub stops reaches a persistent subscriber exactly once', async (t) => {
  const first = await startHub(t, { shutdown: { timeoutMs: 5000 } })
  const watcher = await openSession(t, { port: first.ports.mqtt, clientId: 'store-app', clean: false })
  await watcher.client.subscribeAsync('salon/s1/devices/+/status', { qos: 1 })
  await watcher.client.endAsync()
  await openSession(t, { port: first.ports.mqtt, clientId: 'pad-1', will: { topic: 'salon/s1/devices/pad-1/status', payload: Buffer.from('offline'), qos: 1, retain: false } })
  t.same(await first.hub.close(), [], 'closed cleanly with pad-1 still connected')

  const second = await startHub(t, {}, { dataDir: first.dataDir })
  const again = await openSession(t, { port: second.ports.mqtt, clientId: 'store-app', clean: false })
  await again.next(1)
  const probe = await openSession(t, { port: second.ports.mqtt, clientId: 'probe' })
  await probe.client.publishAsync('salon/s1/devices/probe/status', 'marker', { qos: 1 })
  const got = await again.next(2)
  t.same(got.map((m) => m.payload), ['offline', 'marker'], 'the will once, then the marker')
})
