// Does the hub follow MQTT 3.1.1's session rules: one connection per client id, QoS 2 delivered once despite retransmission, no delivery after UNSUBSCRIBE, no wildcards in PUBLISH topics?
import t from 'tap'
import { startHub } from '../helpers/hub.js'
import { connectClient, openSession } from '../helpers/coretests-mqtt.js'
import { packet, rawConnect } from '../helpers/coretests-raw.js'

t.test('a second connection with the same client id closes the first [MQTT-3.1.4-2] and takes over its persistent session', async (t) => {
  const { ports } = await startHub(t)
  const first = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await first.client.subscribeAsync('salon/s1/#', { qos: 1 })
  const second = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await first.closed(5000)
  t.pass('the first connection was closed by the hub')
  t.equal(second.connack.sessionPresent, true, 'the second one continues the session')
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  await pad.publishAsync('salon/s1/pad/signature', 'to the new connection', { qos: 1 })
  t.same((await second.next(1)).map((m) => m.payload), ['to the new connection'], 'the session\'s subscription delivers to the new connection')
})

t.test('a QoS 2 PUBLISH sent again with DUP before PUBREL is delivered once [MQTT-4.3.3-2]', async (t) => {
  const { ports } = await startHub(t)
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  await sub.client.subscribeAsync('salon/s1/payments/completed', { qos: 2 })
  const raw = await rawConnect(t, ports.mqtt)
  raw.socket.write(packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'pad-1', clean: true, keepalive: 60 }))
  t.match(await raw.nextPacket(), { cmd: 'connack', returnCode: 0 })
  const publish = { cmd: 'publish', topic: 'salon/s1/payments/completed', payload: 'paid once', qos: 2, messageId: 7, retain: false, dup: false } as const
  raw.socket.write(packet(publish))
  t.match(await raw.nextPacket(), { cmd: 'pubrec', messageId: 7 })
  raw.socket.write(packet({ ...publish, dup: true }))
  t.match(await raw.nextPacket(), { cmd: 'pubrec', messageId: 7 }, 'the retransmission is acknowledged again')
  raw.socket.write(packet({ cmd: 'pubrel', messageId: 7 }))
  t.match(await raw.nextPacket(), { cmd: 'pubcomp', messageId: 7 })
  const marker = await connectClient(t, ports.mqtt, { clientId: 'marker' })
  await marker.publishAsync('salon/s1/payments/completed', 'marker', { qos: 2 })
  const got = await sub.next(2)
  t.same(got.map((m) => m.payload), ['paid once', 'marker'], 'one copy, then the marker')
})

t.test('after UNSUBSCRIBE the filter delivers nothing more [MQTT-3.10.4-2]', async (t) => {
  const { ports } = await startHub(t)
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  await sub.client.subscribeAsync({ 'salon/s1/tickets/#': { qos: 1 }, 'salon/s1/marker': { qos: 1 } })
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  await pad.publishAsync('salon/s1/tickets/created', 'before', { qos: 1 })
  await sub.next(1)
  await sub.client.unsubscribeAsync('salon/s1/tickets/#')
  await pad.publishAsync('salon/s1/tickets/created', 'after', { qos: 1 })
  await pad.publishAsync('salon/s1/marker', 'marker', { qos: 1 })
  t.same((await sub.next(2)).map((m) => m.payload), ['before', 'marker'])
})

t.test('an UNSUBSCRIBE of a persistent session survives its reconnect', async (t) => {
  const { ports } = await startHub(t)
  const first = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await first.client.subscribeAsync({ 'salon/s1/tickets/#': { qos: 1 }, 'salon/s1/marker': { qos: 1 } })
  await first.client.unsubscribeAsync('salon/s1/tickets/#')
  await first.client.endAsync()
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  await pad.publishAsync('salon/s1/tickets/created', 'not for me', { qos: 1 })
  await pad.publishAsync('salon/s1/marker', 'marker', { qos: 1 })
  const again = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  t.same((await again.next(1)).map((m) => m.payload), ['marker'], 'only the still-subscribed filter queued')
})

t.test('a PUBLISH whose topic holds a wildcard closes the connection and reaches no one [MQTT-3.3.2-2]', async (t) => {
  const { ports } = await startHub(t)
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  await sub.client.subscribeAsync('#', { qos: 0 })
  const raw = await rawConnect(t, ports.mqtt)
  raw.socket.write(packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'bad', clean: true, keepalive: 60 }))
  t.match(await raw.nextPacket(), { cmd: 'connack', returnCode: 0 })
  raw.socket.write(packet({ cmd: 'publish', topic: 'salon/+/tickets', payload: 'x', qos: 0, retain: false, dup: false }))
  await raw.closed(3000)
  t.pass('the hub closed the connection')
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  await pad.publishAsync('marker', 'marker', { qos: 1 })
  const got = await sub.next(1)
  t.same(got.map((m) => m.topic), ['marker'], 'the wildcard topic was never delivered')
})
