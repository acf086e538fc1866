// Does a message published at QoS 0, 1 and 2 reach a subscriber at the QoS it was granted?
import t from 'tap'
import { startHub } from '../helpers/hub.js'
import { collect, connect } from '../helpers/mqtt.js'

for (const qos of [0, 1, 2] as const) {
  t.test(`a QoS ${qos} publish reaches a QoS ${qos} subscriber exactly with its payload`, async (t) => {
    const { ports } = await startHub(t)
    const sub = await connect(t, ports.mqtt, { clientId: `sub-${qos}` })
    await sub.subscribeAsync('salon/s1/tickets/created', { qos })
    const got = collect(sub)
    const pub = await connect(t, ports.mqtt, { clientId: `pub-${qos}` })
    await pub.publishAsync('salon/s1/tickets/created', `hello ${qos}`, { qos })
    const [m] = await got.next(1)
    t.equal(m?.payload, `hello ${qos}`)
    t.equal(m?.qos, qos, `delivered at QoS ${qos}`)
  })
}

t.test('a QoS 2 publish is delivered to a QoS 1 subscription at QoS 1 [MQTT-3.8.4-6]', async (t) => {
  const { ports } = await startHub(t)
  const sub = await connect(t, ports.mqtt, { clientId: 'sub' })
  await sub.subscribeAsync('a/b', { qos: 1 })
  const got = collect(sub)
  const pub = await connect(t, ports.mqtt, { clientId: 'pub' })
  await pub.publishAsync('a/b', 'x', { qos: 2 })
  const [m] = await got.next(1)
  t.equal(m?.qos, 1)
})

t.test('overlapping subscriptions deliver one copy at the highest granted QoS [MQTT-3.3.5-1]', async (t) => {
  const { ports } = await startHub(t)
  const sub = await connect(t, ports.mqtt, { clientId: 'sub' })
  await sub.subscribeAsync({ 'salon/s1/#': { qos: 0 }, 'salon/s1/pad/signature': { qos: 1 } })
  const got = collect(sub)
  const pub = await connect(t, ports.mqtt, { clientId: 'pub' })
  await pub.publishAsync('salon/s1/pad/signature', 'sig-1', { qos: 1 })
  await pub.publishAsync('salon/s1/pad/end', 'end', { qos: 1 })
  const msgs = await got.next(2)
  t.same(msgs.map((m) => [m.payload, m.qos]), [['sig-1', 1], ['end', 0]], 'one copy of sig-1 at QoS 1, then the marker')
})

t.test('wildcard subscriptions do not match $ topics [MQTT-4.7.2-1]', async (t) => {
  const { ports } = await startHub(t)
  const sub = await connect(t, ports.mqtt, { clientId: 'sub' })
  await sub.subscribeAsync({ '#': { qos: 0 }, '+/heartbeat': { qos: 0 } })
  const got = collect(sub)
  const sys = await connect(t, ports.mqtt, { clientId: 'sys' })
  await sys.subscribeAsync('$SYS/#')
  const sysGot = collect(sys)
  // a new connection makes the broker publish $SYS/<id>/new/clients
  await connect(t, ports.mqtt, { clientId: 'trigger' })
  await sysGot.next(1)
  const pub = await connect(t, ports.mqtt, { clientId: 'pub' })
  await pub.publishAsync('marker', 'm', { qos: 1 })
  const msgs = await got.next(1)
  t.same(msgs.map((m) => m.topic), ['marker'], 'only the marker reached # (no $SYS message before it)')
  t.notOk(got.messages.some((m) => m.topic.startsWith('$')), 'no $ topic matched a wildcard filter')
})
