// Does a persistent session keep its subscriptions and QoS 1/2 messages while the device is away, and does a clean session discard them?
import t from 'tap'
import { startHub } from '../helpers/hub.js'
import { until } from '../helpers/wait.js'
import { connectClient, disconnect, openSession } from '../helpers/coretests-mqtt.js'

const FILTER = 'salon/s1/#'

t.test('a persistent session gets every QoS 1 and QoS 2 message published while it was offline, in order, with session present [MQTT-3.1.2-5] [MQTT-3.2.2-2] [MQTT-4.6.0-6]', async (t) => {
  const { ports } = await startHub(t)
  const first = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  t.equal(first.connack.sessionPresent, false, 'no session existed before [MQTT-3.2.2-3]')
  await first.client.subscribeAsync(FILTER, { qos: 2 })
  await disconnect(first.client)

  const pub = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  const sent: Array<{ payload: string, qos: 1 | 2 }> = []
  for (let i = 1; i <= 20; i++) {
    const qos = i % 2 === 0 ? 2 : 1
    const payload = `msg-${String(i).padStart(2, '0')}`
    await pub.publishAsync(i % 3 === 0 ? 'salon/s1/payments/completed' : 'salon/s1/pad/signature', payload, { qos })
    sent.push({ payload, qos })
  }

  const again = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  t.equal(again.connack.sessionPresent, true, 'CONNACK says the session was present')
  const wire = await again.nextWire(20)
  t.same(wire.map((m) => [m.payload, m.qos]), sent.map((s) => [s.payload, s.qos]), 'all 20 PUBLISH packets, in publish order, each at its QoS')
  t.notOk(wire.some((m) => m.retain), 'queued messages are not flagged retained')
  // mqtt.js hands a QoS 2 message to the application at PUBREL, so only the set is compared here
  const got = await again.next(20)
  t.same(got.map((m) => m.payload).sort(), sent.map((s) => s.payload).sort(), 'each one handed to the application once')

  await pub.publishAsync('salon/s1/pad/signature', 'live', { qos: 1 })
  const after = await again.next(21)
  t.equal(after[20]?.payload, 'live', 'the restored subscription delivers live messages after the queue')
})

t.test('the subscriptions of a persistent session are restored without subscribing again [MQTT-3.1.2-4]', async (t) => {
  const { ports } = await startHub(t)
  const first = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await first.client.subscribeAsync({ 'salon/s1/checkin/client': { qos: 1 }, 'salon/s1/payments/+': { qos: 2 } })
  await disconnect(first.client)
  const again = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  const pub = await connectClient(t, ports.mqtt, { clientId: 'check-in' })
  await pub.publishAsync('salon/s1/checkin/client', 'walk-in', { qos: 1 })
  await pub.publishAsync('salon/s1/payments/completed', 'paid', { qos: 2 })
  const got = await again.next(2)
  t.same(got.map((m) => [m.topic, m.qos]), [['salon/s1/checkin/client', 1], ['salon/s1/payments/completed', 2]])
})

t.test('a clean session discards the previous session: its subscriptions and queued messages [MQTT-3.1.2-6] [MQTT-3.2.2-1]', async (t) => {
  const { hub, ports } = await startHub(t)
  const first = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await first.client.subscribeAsync(FILTER, { qos: 1 })
  await disconnect(first.client)
  const pub = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  for (let i = 0; i < 3; i++) await pub.publishAsync('salon/s1/pad/signature', `queued-${i}`, { qos: 1 })
  t.equal((hub.status().queues as { total: number }).total, 3, 'three messages waited for the session')

  const clean = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: true })
  t.equal(clean.connack.sessionPresent, false, 'CONNACK of a clean session says no session present')
  await clean.client.subscribeAsync('salon/s1/marker', { qos: 1 })
  await pub.publishAsync('salon/s1/pad/signature', 'to the old filter', { qos: 1 })
  await pub.publishAsync('salon/s1/marker', 'm', { qos: 1 })
  const got = await clean.next(1)
  t.same(got.map((m) => m.payload), ['m'], 'neither the queued messages nor the old subscription reached the clean session')
  t.equal(clean.messages.length, 1)
  await disconnect(clean.client)

  const later = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  t.equal(later.connack.sessionPresent, false, 'the discarded session is not present afterwards either')
  t.equal((hub.status().queues as { total: number }).total, 0, 'no queued message is kept for it')
})

t.test('QoS 0 messages are not queued for an offline session', async (t) => {
  const { ports } = await startHub(t)
  const first = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await first.client.subscribeAsync({ 'salon/s1/waitlist/updated': { qos: 1 }, 'salon/s1/tickets/updated': { qos: 0 } })
  await disconnect(first.client)
  const pub = await connectClient(t, ports.mqtt, { clientId: 'check-in' })
  await pub.publishAsync('salon/s1/waitlist/updated', 'published at QoS 0', { qos: 0 })
  await pub.publishAsync('salon/s1/tickets/updated', 'QoS 1 to a QoS 0 subscription', { qos: 1 })
  await pub.publishAsync('salon/s1/waitlist/updated', 'queued', { qos: 1 })

  const again = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  const [m] = await again.next(1)
  t.same(m, { topic: 'salon/s1/waitlist/updated', payload: 'queued', qos: 1, retain: false })
  await pub.publishAsync('salon/s1/waitlist/updated', 'marker', { qos: 1 })
  const got = await again.next(2)
  t.same(got.map((x) => x.payload), ['queued', 'marker'], 'nothing at QoS 0 was kept')
})

t.test('a persistent session receives what is published while it drains its queue after the queue, in order', async (t) => {
  const { ports } = await startHub(t)
  const first = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await first.client.subscribeAsync(FILTER, { qos: 1 })
  await disconnect(first.client)
  const pub = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  const sent: string[] = []
  for (let i = 0; i < 200; i++) {
    sent.push(`q${i}`)
    await pub.publishAsync('salon/s1/pad/signature', `q${i}`, { qos: 1 })
  }
  const reconnecting = openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  const live: Array<Promise<unknown>> = []
  for (let i = 0; i < 50; i++) {
    sent.push(`l${i}`)
    live.push(pub.publishAsync('salon/s1/pad/signature', `l${i}`, { qos: 1 }))
  }
  const again = await reconnecting
  await Promise.all(live)
  const got = await again.next(250, 10000)
  t.same(got.map((m) => m.payload), sent, 'queued messages first, then the ones published during the reconnect, none lost or reordered')
})

t.test('a message published while a reconnected session is still receiving its queue arrives after the queue [MQTT-4.6.0-6]', async (t) => {
  const { ports } = await startHub(t)
  const first = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await first.client.subscribeAsync(FILTER, { qos: 1 })
  await disconnect(first.client)
  const pub = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  // large queued messages keep the hub writing for a while after CONNACK
  const big = 'x'.repeat(512 * 1024)
  for (let i = 0; i < 12; i++) await pub.publishAsync('salon/s1/pad/signature', `${String(i).padStart(2, '0')}${big}`, { qos: 1 })
  let published: Promise<unknown> | undefined
  const again = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  // publish the moment the first queued message arrives: the queue is being sent right now
  const firstQueued = again.nextWire(1, 10000).then(() => { published = pub.publishAsync('salon/s1/pad/signature', 'live', { qos: 1 }) })
  await firstQueued
  await published
  const wire = await again.nextWire(13, 15000)
  t.same(wire.map((m) => m.payload.slice(0, 4)), [...Array.from({ length: 12 }, (_, i) => `${String(i).padStart(2, '0')}xx`), 'live'], 'the 12 queued messages, then the live one')
})

t.test('a session that drops while its queue is being sent gets the rest, in order, on its next connection [MQTT-4.4.0-1]', async (t) => {
  const { ports } = await startHub(t)
  const first = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await first.client.subscribeAsync(FILTER, { qos: 1 })
  await disconnect(first.client)
  const pub = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  const big = 'x'.repeat(256 * 1024)
  const names = Array.from({ length: 20 }, (_, i) => String(i).padStart(2, '0'))
  for (const n of names) await pub.publishAsync('salon/s1/pad/signature', n + big, { qos: 1 })

  const dropped = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await dropped.nextWire(1, 10000)
  dropped.client.stream.destroy()
  await dropped.closed()

  const again = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await pub.publishAsync('salon/s1/pad/signature', 'live', { qos: 1 })
  const seen = new Set(dropped.messages.map((m) => m.payload.slice(0, 2)))
  const missing = names.filter((n) => !seen.has(n))
  // what was handed to the application may still be resent (its PUBACK can be lost with the socket): QoS 1 allows it
  await until(() => again.wire.some((m) => m.payload === 'live'), 15000, 'the live message')
  const order = again.wire.map((m) => m.payload.slice(0, 2))
  t.equal(order[order.length - 1], 'li', 'the live message comes after the resent queue')
  const resent = order.slice(0, -1)
  t.same(resent, [...new Set(resent)].sort(), 'the queue was resent once each, in publish order')
  t.same(missing.filter((n) => !resent.includes(n)), [], 'every message not received before the drop was resent')
})
