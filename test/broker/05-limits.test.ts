// Do the packet-size, connection-count and CONNECT-timeout limits close the offending connection promptly while the hub keeps serving everyone else?
import t, { type Test } from 'tap'
import { startHub } from '../helpers/hub.js'
import { startLoggedHub } from '../helpers/coretests-hub.js'
import { connectClient, openSession, refusedConnect } from '../helpers/coretests-mqtt.js'
import { getJson, metrics, sample } from '../helpers/coretests-http.js'
import { packet, rawConnect, remainingLength } from '../helpers/coretests-raw.js'

/** A publish from one fresh client reaches one fresh subscriber: the hub still serves. */
async function stillServes (t: Test, port: number, tag: string): Promise<void> {
  const sub = await openSession(t, { port, clientId: `probe-sub-${tag}` })
  await sub.client.subscribeAsync('probe/' + tag, { qos: 1 })
  const pub = await connectClient(t, port, { clientId: `probe-pub-${tag}` })
  await pub.publishAsync('probe/' + tag, 'alive', { qos: 1 })
  const [m] = await sub.next(1)
  t.equal(m?.payload, 'alive', 'another client can still connect, publish and receive')
  sub.client.end(true)
  pub.end(true)
}

t.test('a CONNECT declaring 200 MiB is refused on its fixed header: the connection closes at once and the hub keeps serving', async (t) => {
  const { ports } = await startHub(t)
  const raw = await rawConnect(t, ports.mqtt)
  // CONNECT type byte, a remaining length of 200 MiB, then only the start of a variable header
  raw.socket.write(Buffer.concat([Buffer.from([0x10]), remainingLength(200 * 1024 * 1024), Buffer.from([0x00, 0x04, 0x4d, 0x51])]))
  const ms = await raw.closed(3000)
  t.ok(ms < 3000, `closed ${ms} ms after the header, without waiting for the 200 MiB`)
  t.equal(raw.packets.length, 0, 'no CONNACK was sent')
  await stillServes(t, ports.mqtt, 'after-connect')
  const m = await metrics(ports.http as number)
  t.equal(sample(m.samples, 'mango_bad_packets_total'), 1, 'mango_bad_packets_total counts it')
})

t.test('a remaining length longer than four bytes is malformed and closes the connection [MQTT-2.2.3]', async (t) => {
  const { ports } = await startHub(t)
  const raw = await rawConnect(t, ports.mqtt)
  raw.socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]))
  await raw.closed(3000)
  t.equal(raw.packets.length, 0, 'closed without an answer')
  await stillServes(t, ports.mqtt, 'after-malformed')
})

t.test('a PUBLISH of exactly limits.maxPacketSize bytes is accepted and one byte more closes only that connection', async (t) => {
  const limit = 4096
  const { ports } = await startHub(t, { limits: { maxPacketSize: limit } })
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  await sub.client.subscribeAsync('t', { qos: 0 })
  // a QoS 0 PUBLISH to topic "t": 1 type byte + 2 length bytes + 2 + 1 topic bytes + payload
  const fits = 'x'.repeat(limit - 6)
  t.equal(packet({ cmd: 'publish', topic: 't', payload: fits, qos: 0, retain: false, dup: false }).length, limit, 'the test packet is exactly at the limit')
  const pad = await openSession(t, { port: ports.mqtt, clientId: 'pad-1' })
  await pad.client.publishAsync('t', fits, { qos: 0 })
  const [m] = await sub.next(1)
  t.equal(m?.payload.length, fits.length, 'the packet at the limit was delivered')

  await pad.client.publishAsync('t', fits + 'x', { qos: 0 })
  await pad.closed(3000)
  t.pass('the connection that sent one byte over the limit was closed')
  await stillServes(t, ports.mqtt, 'after-publish')
  t.equal(sub.client.connected, true, 'the subscriber stayed connected')
  t.equal(sub.messages.length, 1, 'the oversize message was not delivered to anyone')
})

t.test('an oversize PUBLISH from a connected client closes that client and no other', async (t) => {
  const { ports } = await startHub(t, { limits: { maxPacketSize: 1024 } })
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  await sub.client.subscribeAsync('salon/s1/pad/signature', { qos: 1 })
  const other = await openSession(t, { port: ports.mqtt, clientId: 'check-in' })
  const pad = await openSession(t, { port: ports.mqtt, clientId: 'pad-1' })
  pad.client.publish('salon/s1/pad/signature', Buffer.alloc(64 * 1024, 0x41), { qos: 1 })
  await pad.closed(3000)
  t.pass('the sender was disconnected')
  await other.client.publishAsync('salon/s1/pad/signature', 'small', { qos: 1 })
  const [m] = await sub.next(1)
  t.equal(m?.payload, 'small', 'the next message from another client is delivered')
  t.equal(sub.messages.length, 1, 'the oversize message never reached the subscriber')
  t.equal(other.client.connected && sub.client.connected, true, 'the other clients stayed connected')
})

t.test('with limits.maxConnections 3 the 4th connection gets CONNACK 0x03 and is closed; the first 3 keep working', async (t) => {
  const { ports } = await startHub(t, { limits: { maxConnections: 3 } })
  const a = await openSession(t, { port: ports.mqtt, clientId: 'a' })
  const b = await openSession(t, { port: ports.mqtt, clientId: 'b' })
  const c = await openSession(t, { port: ports.mqtt, clientId: 'c' })
  const refused = await refusedConnect(t, { port: ports.mqtt, clientId: 'd' })
  t.equal(refused.code, 3, 'CONNACK return code 3: server unavailable [MQTT-3.2.2-5]')
  await refused.closed
  t.pass('the refused connection was closed by the hub')

  await a.client.subscribeAsync('salon/s1/#', { qos: 1 })
  await b.client.publishAsync('salon/s1/tickets/created', 'from b', { qos: 1 })
  await c.client.publishAsync('salon/s1/tickets/created', 'from c', { qos: 1 })
  const got = await a.next(2)
  t.same(got.map((m) => m.payload), ['from b', 'from c'], 'the admitted clients still exchange messages')

  await b.client.endAsync()
  const d = await openSession(t, { port: ports.mqtt, clientId: 'd' })
  t.equal(d.connack.returnCode, 0, 'a slot freed by a disconnect admits the next client')
  const m = await metrics(ports.http as number)
  t.equal(sample(m.samples, 'mango_connections_refused_total', { reason: 'max-connections' }), 1, 'the refusal is counted')
})

t.test('a raw connection over the limit receives exactly CONNACK 0x03 and then EOF', async (t) => {
  const { ports } = await startHub(t, { limits: { maxConnections: 1 } })
  await openSession(t, { port: ports.mqtt, clientId: 'only' })
  const raw = await rawConnect(t, ports.mqtt)
  raw.socket.write(packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'second', clean: true, keepalive: 60 }))
  t.match(await raw.nextPacket(), { cmd: 'connack', returnCode: 3, sessionPresent: false })
  await raw.closed(3000)
  t.equal(raw.packets.length, 1, 'nothing but the CONNACK')
})

t.test('a socket that never sends CONNECT is closed after limits.connectTimeoutMs and frees its slot', async (t) => {
  const { ports } = await startHub(t, { limits: { maxConnections: 1, connectTimeoutMs: 300 } })
  const silent = await rawConnect(t, ports.mqtt)
  const ms = await silent.closed(3000)
  t.ok(ms >= 250, `not closed before the timeout (${ms} ms)`)
  t.ok(ms < 3000, `closed within a bounded time (${ms} ms)`)
  const next = await openSession(t, { port: ports.mqtt, clientId: 'after-silent' })
  t.equal(next.connack.returnCode, 0, 'the only slot is free again')
})

t.test('a socket that sends half a CONNECT and stalls is closed after limits.connectTimeoutMs', async (t) => {
  const { ports } = await startHub(t, { limits: { connectTimeoutMs: 300 } })
  const raw = await rawConnect(t, ports.mqtt)
  const connect = packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'slow-loris', clean: true, keepalive: 60 })
  raw.socket.write(connect.subarray(0, 8))
  const ms = await raw.closed(3000)
  t.ok(ms >= 250 && ms < 3000, `closed after the timeout (${ms} ms)`)
  t.equal(raw.packets.length, 0, 'no CONNACK was sent')
})

/** Queue 8 QoS 1 messages for an offline persistent session bounded to 5, then reconnect it. */
async function overfill (t: Test, policy: 'drop-oldest' | 'drop-new'): Promise<{ wire: string[], status: Record<string, unknown>, dropped: number | undefined, depth: number | undefined }> {
  const { ports } = await startHub(t, { limits: { maxQueuedMessages: 5, queueFullPolicy: policy } })
  const http = ports.http as number
  const first = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await first.client.subscribeAsync('salon/s1/#', { qos: 1 })
  await first.client.endAsync()
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  for (let i = 1; i <= 8; i++) await pad.publishAsync('salon/s1/pad/signature', `m${i}`, { qos: 1 })
  const status = (await getJson(http, '/status')).body
  const m = await metrics(http)
  const again = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await again.nextWire(5)
  await pad.publishAsync('salon/s1/marker', 'marker', { qos: 1 })
  const wire = (await again.nextWire(6)).map((x) => x.payload)
  return { wire, status, dropped: sample(m.samples, 'mango_queue_dropped_total', { policy }), depth: sample(m.samples, 'mango_queue_depth') }
}

t.test('a full session queue with drop-oldest keeps the newest maxQueuedMessages and counts the drops in /status and /metrics', async (t) => {
  const r = await overfill(t, 'drop-oldest')
  t.same(r.wire, ['m4', 'm5', 'm6', 'm7', 'm8', 'marker'], 'the newest 5 were kept, in order, and nothing else was sent')
  t.match(r.status, { queues: { total: 5, byClient: [{ clientId: 'store-app', messages: 5 }] }, drops: { queueFull: 3 } }, '/status shows the depth and the drops')
  t.equal(r.dropped, 3, 'mango_queue_dropped_total{policy="drop-oldest"} is 3')
  t.equal(r.depth, 5, 'mango_queue_depth was 5 before the reconnect')
})

t.test('a full session queue with drop-new keeps the oldest maxQueuedMessages and counts the drops in /status and /metrics', async (t) => {
  const r = await overfill(t, 'drop-new')
  t.same(r.wire, ['m1', 'm2', 'm3', 'm4', 'm5', 'marker'], 'the oldest 5 were kept, in order, and nothing else was sent')
  t.match(r.status, { queues: { total: 5, byClient: [{ clientId: 'store-app', messages: 5 }] }, drops: { queueFull: 3 } }, '/status shows the depth and the drops')
  t.equal(r.dropped, 3, 'mango_queue_dropped_total{policy="drop-new"} is 3')
  t.equal(r.depth, 5, 'mango_queue_depth was 5 before the reconnect')
})

t.test('limits.maxQueuedBytes bounds a session queue by payload bytes', async (t) => {
  const { ports } = await startHub(t, { limits: { maxQueuedBytes: 4096, queueFullPolicy: 'drop-oldest' } })
  const first = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await first.client.subscribeAsync('salon/s1/#', { qos: 1 })
  await first.client.endAsync()
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  for (let i = 1; i <= 6; i++) await pad.publishAsync('salon/s1/pad/signature', `${i}`.repeat(1000), { qos: 1 })
  const again = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await pad.publishAsync('salon/s1/marker', 'marker', { qos: 1 })
  const wire = await again.nextWire(5)
  t.same(wire.map((m) => m.payload.slice(0, 1)), ['3', '4', '5', '6', 'm'], 'four 1000-byte messages fit in 4096 bytes: the two oldest were dropped')
})

t.test('a queue drop is logged as a warning naming the session and the count, never the payload', async (t) => {
  const { ports, lines, text } = await startLoggedHub(t, { limits: { maxQueuedMessages: 1 } })
  const first = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await first.client.subscribeAsync('salon/s1/#', { qos: 1 })
  await first.client.endAsync()
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  await pad.publishAsync('salon/s1/pad/signature', 'SECRET-SIGNATURE-1', { qos: 1 })
  await pad.publishAsync('salon/s1/pad/signature', 'SECRET-SIGNATURE-2', { qos: 1 })
  const drop = lines.find((l) => l.msg === 'session queue full: messages dropped')
  t.match(drop, { level: 40, clientId: 'store-app', dropped: 1, policy: 'drop-oldest', maxQueuedMessages: 1 }, 'one warning line with the session, count and policy')
  t.notMatch(text(), /SECRET-SIGNATURE/, 'no payload appears anywhere in the log')
})
