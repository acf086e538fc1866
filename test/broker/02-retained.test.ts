// Does the hub keep the last retained message of a topic, replace and clear it as MQTT 3.1.1 says, and keep it across a restart?
import t from 'tap'
import { startHub } from '../helpers/hub.js'
import { connectClient as connect, disconnect, openSession } from '../helpers/coretests-mqtt.js'

const TOPIC = 'salon/s1/waitlist/current'

t.test('a retained message is sent to a later subscriber with the retain flag set [MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8]', async (t) => {
  const { ports } = await startHub(t)
  const pub = await connect(t, ports.mqtt, { clientId: 'store-app' })
  await pub.publishAsync(TOPIC, 'waitlist v1', { qos: 1, retain: true })
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'check-in' })
  await sub.client.subscribeAsync(TOPIC, { qos: 1 })
  const [m] = await sub.next(1)
  t.same(m, { topic: TOPIC, payload: 'waitlist v1', qos: 1, retain: true })
})

t.test('a message that matches an existing subscription is sent with the retain flag cleared [MQTT-3.3.1-9]', async (t) => {
  const { ports } = await startHub(t)
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'check-in' })
  await sub.client.subscribeAsync(TOPIC, { qos: 1 })
  const pub = await connect(t, ports.mqtt, { clientId: 'store-app' })
  await pub.publishAsync(TOPIC, 'live', { qos: 1, retain: true })
  const [m] = await sub.next(1)
  t.same(m, { topic: TOPIC, payload: 'live', qos: 1, retain: false })
})

t.test('a newer retained message replaces the previous one, at any QoS [MQTT-3.3.1-5] [MQTT-3.3.1-7]', async (t) => {
  const { ports } = await startHub(t)
  const pub = await connect(t, ports.mqtt, { clientId: 'store-app' })
  await pub.publishAsync(TOPIC, 'v1', { qos: 1, retain: true })
  await pub.publishAsync(TOPIC, 'v2', { qos: 2, retain: true })
  await pub.publishAsync(TOPIC, 'v3', { qos: 0, retain: true })
  // a marker after the QoS 0 message: once it is retained too, v3 has been processed
  await pub.publishAsync('salon/s1/marker', 'm', { qos: 1, retain: true })
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'check-in' })
  await sub.client.subscribeAsync({ [TOPIC]: { qos: 2 }, 'salon/s1/marker': { qos: 1 } })
  const got = await sub.next(2)
  t.same(got.filter((m) => m.topic === TOPIC), [{ topic: TOPIC, payload: 'v3', qos: 0, retain: true }], 'only the last retained message, at the QoS it was published with')
})

t.test('a publish without the retain flag neither stores nor replaces the retained message [MQTT-3.3.1-12]', async (t) => {
  const { ports } = await startHub(t)
  const pub = await connect(t, ports.mqtt, { clientId: 'store-app' })
  await pub.publishAsync(TOPIC, 'kept', { qos: 1, retain: true })
  await pub.publishAsync(TOPIC, 'not retained', { qos: 1 })
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'check-in' })
  await sub.client.subscribeAsync(TOPIC, { qos: 1 })
  const [m] = await sub.next(1)
  t.equal(m?.payload, 'kept')
  await pub.publishAsync(TOPIC, 'after', { qos: 1 })
  const all = await sub.next(2)
  t.same(all.map((x) => [x.payload, x.retain]), [['kept', true], ['after', false]], 'nothing else was sent on subscribe')
})

t.test('an empty retained payload reaches current subscribers and clears the retained message [MQTT-3.3.1-10] [MQTT-3.3.1-11]', async (t) => {
  const { ports } = await startHub(t)
  const pub = await connect(t, ports.mqtt, { clientId: 'store-app' })
  await pub.publishAsync(TOPIC, 'v1', { qos: 1, retain: true })
  const live = await openSession(t, { port: ports.mqtt, clientId: 'live' })
  await live.client.subscribeAsync(TOPIC, { qos: 1 })
  await live.next(1)
  await pub.publishAsync(TOPIC, '', { qos: 1, retain: true })
  const [, cleared] = await live.next(2)
  t.same(cleared, { topic: TOPIC, payload: '', qos: 1, retain: false }, 'the zero-byte message is delivered as normal')

  const later = await openSession(t, { port: ports.mqtt, clientId: 'later' })
  await later.client.subscribeAsync({ [TOPIC]: { qos: 1 }, 'salon/s1/marker': { qos: 1 } })
  await pub.publishAsync('salon/s1/marker', 'm', { qos: 1 })
  const got = await later.next(1)
  t.same(got.map((m) => m.topic), ['salon/s1/marker'], 'a later subscriber gets no retained message before the marker')
  t.equal(later.messages.filter((m) => m.topic === TOPIC).length, 0, 'the zero-byte message was not stored as retained')
})

t.test('a wildcard subscription receives every matching retained message', async (t) => {
  const { ports } = await startHub(t)
  const pub = await connect(t, ports.mqtt, { clientId: 'store-app' })
  await pub.publishAsync('salon/s1/tickets/7/status', 'open', { qos: 1, retain: true })
  await pub.publishAsync('salon/s1/tickets/8/status', 'paid', { qos: 1, retain: true })
  await pub.publishAsync('salon/s2/tickets/9/status', 'other salon', { qos: 1, retain: true })
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'tablet' })
  await sub.client.subscribeAsync('salon/s1/tickets/+/status', { qos: 1 })
  const got = await sub.next(2)
  t.same(got.map((m) => m.payload).sort(), ['open', 'paid'])
  await pub.publishAsync('salon/s1/tickets/marker/status', 'm', { qos: 1 })
  const after = await sub.next(3)
  t.equal(after[2]?.payload, 'm', 'nothing from the other salon came before the marker')
})

t.test('retained messages are not sent again when a persistent session is restored [MQTT-3.1.2-4]', async (t) => {
  const { ports } = await startHub(t)
  const pub = await connect(t, ports.mqtt, { clientId: 'store-app' })
  await pub.publishAsync(TOPIC, 'v1', { qos: 1, retain: true })
  const first = await openSession(t, { port: ports.mqtt, clientId: 'check-in', clean: false })
  await first.client.subscribeAsync(TOPIC, { qos: 1 })
  await first.next(1)
  await disconnect(first.client)

  const again = await openSession(t, { port: ports.mqtt, clientId: 'check-in', clean: false })
  t.equal(again.connack.sessionPresent, true, 'the session was restored')
  await pub.publishAsync(TOPIC, 'v2', { qos: 1 })
  const [m] = await again.next(1)
  t.same(m, { topic: TOPIC, payload: 'v2', qos: 1, retain: false }, 'the first message after the restore is the new publish, not the retained one')
})

t.test('retained messages survive a restart of the hub on the same data directory', async (t) => {
  const first = await startHub(t)
  const pub = await connect(t, first.ports.mqtt, { clientId: 'store-app' })
  await pub.publishAsync(TOPIC, 'before restart', { qos: 1, retain: true })
  await pub.publishAsync('salon/s1/turns/assigned', 'turn 3', { qos: 0, retain: true })
  await pub.publishAsync('salon/s1/cleared', 'gone', { qos: 1, retain: true })
  await pub.publishAsync('salon/s1/cleared', '', { qos: 1, retain: true })
  pub.end(true)
  t.same(await first.hub.close(), [], 'the first hub stopped cleanly')

  const second = await startHub(t, {}, { dataDir: first.dataDir })
  const sub = await openSession(t, { port: second.ports.mqtt, clientId: 'check-in' })
  await sub.client.subscribeAsync('salon/s1/#', { qos: 1 })
  const got = await sub.next(2)
  t.same(got.map((m) => [m.topic, m.payload, m.retain]).sort(), [
    ['salon/s1/turns/assigned', 'turn 3', true],
    [TOPIC, 'before restart', true]
  ])
  const pub2 = await connect(t, second.ports.mqtt, { clientId: 'store-app' })
  await pub2.publishAsync('salon/s1/marker', 'm', { qos: 1 })
  const all = await sub.next(3)
  t.equal(all[2]?.topic, 'salon/s1/marker', 'the cleared topic stayed cleared across the restart')
})
