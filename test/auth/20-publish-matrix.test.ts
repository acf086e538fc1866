// Over MQTT, does every device type publish exactly the topic families of its own salon that its role allows, with every other publish acknowledged, dropped, counted and logged without a reconnect?
import t from 'tap'
import { type TopicFamilyName } from '../../src/envelope/index.js'
import { OTHER_SALON, SALON, counter, startWireHub } from '../helpers/auth-wire-hub.js'
import { connectDevice, envelope, envelopeId, suback } from '../helpers/auth-wire-mqtt.js'
import { FAMILIES, MATRIX_DEVICES, MAY_PUBLISH, topicOf } from '../helpers/auth-wire-matrix.js'

const SECRET = 'payload-text-that-must-never-be-logged'

t.test('the publish matrix: device type × topic family × own/other salon', async (t) => {
  const wire = await startWireHub(t, { devices: [...MATRIX_DEVICES, { deviceType: 'store-app', deviceId: 'observer' }] })
  const { ports } = wire
  // Everything that entered the broker (stored and emitted to subscribers), whatever its origin.
  const entered: string[] = []
  wire.broker().aedes.on('publish', (packet) => {
    if (!packet.topic.startsWith('$')) entered.push(envelopeId({ topic: packet.topic, payload: Buffer.from(packet.payload), qos: packet.qos, retain: packet.retain }) ?? '')
  })
  const observer = await connectDevice(t, ports.mqtt, wire.device('observer'))
  t.same(await suback(observer.client, [`salon/${SALON}/#`]), [1], 'the store-app observer may read its whole salon')

  for (const { deviceType, deviceId } of MATRIX_DEVICES) {
    await t.test(`${deviceType}: allowed publishes reach a store-app subscriber; every other one gets its PUBACK and is dropped`, async (t) => {
      const device = wire.device(deviceId)
      // a closed connection would make mqtt.js reconnect: the storm the hub must not cause
      const me = await connectDevice(t, ports.mqtt, device, { reconnectPeriod: 100 })
      const before = await counter(ports, 'mango_publish_forbidden_total')
      const cells: Array<{ family: TopicFamilyName, salon: string, topic: string, id: string, allowed: boolean }> = []
      for (const family of FAMILIES) {
        for (const salon of [SALON, OTHER_SALON]) {
          const topic = topicOf(family, salon)
          cells.push({ family, salon, topic, id: `${deviceId}|${topic}`, allowed: salon === SALON && MAY_PUBLISH[deviceType].includes(family) })
        }
      }
      // QoS 1: the PUBACK arrives for every publish, allowed or not
      const acks = await Promise.all(cells.map(async (c) => await me.client.publishAsync(c.topic, envelope(device, c.id, { secret: SECRET }), { qos: 1 })))
      t.equal(acks.length, cells.length, `${cells.length} PUBACKs [MQTT-4.3.2-2]`)
      const marker = `marker-after-${deviceId}`
      await observer.client.publishAsync(`salon/${SALON}/tickets/updated`, envelope(wire.device('observer'), marker), { qos: 1 })
      await observer.inbox.until((m) => envelopeId(m) === marker, 5000, 'the observer\'s marker')

      const delivered = new Set(observer.inbox.messages.map(envelopeId).filter((id) => id?.startsWith(`${deviceId}|`)))
      const stored = new Set(entered.filter((id) => id.startsWith(`${deviceId}|`)))
      for (const c of cells) {
        const what = `${c.salon === SALON ? 'own' : 'other'} salon ${c.family}`
        if (c.allowed) {
          t.ok(delivered.has(c.id), `${what}: published and delivered`)
        } else {
          t.notOk(delivered.has(c.id) || stored.has(c.id), `${what}: dropped, never delivered nor stored`)
        }
      }
      t.same([...stored].sort(), [...delivered].sort(), 'what entered the broker is what the observer got')
      const forbidden = cells.filter((c) => !c.allowed).length
      t.equal(await counter(ports, 'mango_publish_forbidden_total') - before, forbidden, `${forbidden} drops counted in mango_publish_forbidden_total`)
      t.equal(me.closes(), 0, 'the connection was never closed: no reconnect')
      t.ok(me.client.connected, 'still connected')
      const refusal = wire.lines.find((l) => l.msg === 'publish refused' && l.clientId === device.clientId)
      if (forbidden > 0) t.match(refusal, { level: 40, clientId: device.clientId, topic: String, reason: String, bytes: Number }, 'logged at warn with client id, topic and reason')
    })
  }

  t.notOk(wire.text().includes(SECRET), 'no payload was ever written to the log')
})

t.test('a forbidden publish at QoS 2 completes its PUBREC/PUBREL/PUBCOMP exchange and is dropped; at QoS 0 it is dropped silently', async (t) => {
  const wire = await startWireHub(t, { devices: [{ deviceType: 'mango-pad', deviceId: 'pad-1' }, { deviceType: 'store-app', deviceId: 'till-1' }] })
  const pad = wire.device('pad-1')
  const till = await connectDevice(t, wire.ports.mqtt, wire.device('till-1'))
  t.same(await suback(till.client, [`salon/${SALON}/#`], 2), [2], 'the store app reads its salon at QoS 2')
  const me = await connectDevice(t, wire.ports.mqtt, pad, { reconnectPeriod: 100 })
  await me.client.publishAsync(`salon/${SALON}/payments/completed`, envelope(pad, 'forbidden-qos2'), { qos: 2 })
  me.client.publish(`salon/${SALON}/payments/completed`, envelope(pad, 'forbidden-qos0'), { qos: 0 })
  await me.client.publishAsync(`salon/${SALON}/pad/signature`, envelope(pad, 'allowed-qos2'), { qos: 2 })
  await till.inbox.until((m) => envelopeId(m) === 'allowed-qos2', 5000, 'the allowed signature')
  // one publisher's messages reach a subscriber in order [MQTT-4.6.0-6]: the forbidden ones would have come first
  t.same(till.inbox.messages.map(envelopeId), ['allowed-qos2'], 'only the allowed publish was delivered')
  t.equal(me.closes(), 0, 'no reconnect')
  t.equal(await counter(wire.ports, 'mango_publish_forbidden_total'), 2, 'both drops counted')
})
