// Over MQTT, does every device type get the SUBACK its role allows for every topic family and wildcard of its own and another salon, and receive exactly its own salon's allowed messages through narrowed filters?
import t from 'tap'
import { type DeviceType } from '../../src/auth/types.js'
import { OTHER_SALON, SALON, startWireHub } from '../helpers/auth-wire-hub.js'
import { FAILURE, connectDevice, envelope, envelopeId, suback, type Device } from '../helpers/auth-wire-mqtt.js'
import { FAMILIES, MATRIX_DEVICES, MAY_RECEIVE, topicOf } from '../helpers/auth-wire-matrix.js'

/** Wildcard filters and the device types that get them (narrowed to salon s1 where they reach other salons). */
const WILDCARDS: ReadonlyArray<{ filter: string, granted: readonly DeviceType[] }> = [
  { filter: '#', granted: ['store-app'] },
  { filter: '+/#', granted: ['store-app'] },
  { filter: 'salon/+/#', granted: ['store-app'] },
  { filter: 'salon/+/+/#', granted: ['store-app'] },
  { filter: `+/${SALON}/#`, granted: ['store-app'] },
  { filter: `salon/${SALON}/#`, granted: ['store-app'] },
  { filter: `salon/${OTHER_SALON}/#`, granted: [] },
  { filter: `salon/${OTHER_SALON}/+/#`, granted: [] },
  { filter: `+/${OTHER_SALON}/#`, granted: [] },
  { filter: '$SYS/#', granted: ['store-app'] },
  { filter: 'salon/+/waitlist/#', granted: ['store-app', 'check-in', 'staff-tablet'] },
  { filter: '+/+/receipts/ready', granted: ['store-app', 'mango-pad'] },
  { filter: 'salon/+/tickets/+/status', granted: ['store-app', 'staff-tablet'] }
]

/** Every filter a device of `type` tries, with the SUBACK code it must get (QoS 1 asked). */
function expectedCodes (type: DeviceType): Record<string, number> {
  const codes: Record<string, number> = {}
  for (const family of FAMILIES) {
    codes[topicOf(family, SALON)] = MAY_RECEIVE[type].includes(family) ? 1 : FAILURE
    codes[topicOf(family, OTHER_SALON)] = FAILURE
  }
  for (const w of WILDCARDS) codes[w.filter] = w.granted.includes(type) ? 1 : FAILURE
  return codes
}

t.test('the subscribe matrix: SUBACK per role, and delivery of own-salon messages only', async (t) => {
  const wire = await startWireHub(t, { devices: [...MATRIX_DEVICES, { deviceType: 'store-app', deviceId: 'publisher' }] })
  const { ports } = wire
  const connected = new Map<DeviceType, Device>()

  for (const { deviceType, deviceId } of MATRIX_DEVICES) {
    const device = await connectDevice(t, ports.mqtt, wire.device(deviceId))
    // cloud-only types are admitted when enrolled, with a role that grants nothing on the hub
    t.ok(device.client.connected, `${deviceType}: admitted with its token (CONNACK 0)`)
    connected.set(deviceType, device)
    const expected = expectedCodes(deviceType)
    const filters = Object.keys(expected)
    const codes = await suback(device.client, filters)
    // [MQTT-3.9.3-1]: one return code per filter, in order; 0x80 is a refusal
    t.same(Object.fromEntries(filters.map((f, i) => [f, codes[i]])), expected, `${deviceType}: SUBACK return codes per filter`)
  }

  // A connection announces itself on $SYS, which only the store app may read.
  const publisherIdentity = wire.device('publisher')
  const publisher = await connectDevice(t, ports.mqtt, publisherIdentity)
  const store = connected.get('store-app') as Device
  const sys = await store.inbox.until((m) => m.topic.startsWith('$SYS/') && m.topic.endsWith('/new/clients') && m.payload.toString() === publisherIdentity.clientId, 5000, 'the $SYS announcement of the publisher')
  t.ok(sys, 'the store app reads $SYS')

  for (const family of FAMILIES) {
    if (family === 'hubStatus') continue
    await publisher.client.publishAsync(topicOf(family, SALON), envelope(publisherIdentity, `own|${family}`), { qos: 1 })
  }
  // another salon's messages, as if they had come in through the hub itself
  for (const family of FAMILIES) {
    const source = { salonId: OTHER_SALON, deviceType: 'store-app' as const, deviceId: 'elsewhere' }
    await wire.broker().pipeline.publish({ topic: topicOf(family, OTHER_SALON), payload: envelope(source, `other|${family}`), qos: 1 }, { origin: 'hub' })
  }
  // the hub's own retained status comes last: every local device may read it
  await wire.broker().pipeline.publish({ topic: topicOf('hubStatus', SALON), payload: envelope({ salonId: SALON, deviceType: 'store-app', deviceId: 'hub' }, 'own|hubStatus'), qos: 1 }, { origin: 'hub' })

  for (const [deviceType, device] of connected) {
    const may = MAY_RECEIVE[deviceType]
    if (may.includes('hubStatus')) await device.inbox.until((m) => envelopeId(m) === 'own|hubStatus', 5000, `${deviceType}: the hub status`)
    const got = device.inbox.messages.filter((m) => !m.topic.startsWith('$')).map((m) => envelopeId(m) ?? m.topic).sort()
    const want = may.map((f) => `own|${f}`).sort()
    t.same(got, want, `${deviceType}: exactly one copy of each own-salon message its role may read, nothing of salon ${OTHER_SALON} [MQTT-3.3.5-1]`)
    const sysCount = device.inbox.messages.filter((m) => m.topic.startsWith('$')).length
    if (deviceType === 'store-app') t.ok(sysCount > 0, 'store-app: $SYS messages delivered')
    else t.equal(sysCount, 0, `${deviceType}: no $SYS message`)
  }
})

t.test('the Store App\'s seed subscription salon/+/+/# works for its own salon and nothing else', async (t) => {
  const wire = await startWireHub(t, { devices: [{ deviceType: 'store-app', deviceId: 'till-1' }, { deviceType: 'mango-pad', deviceId: 'pad-1' }] })
  const till = await connectDevice(t, wire.ports.mqtt, wire.device('till-1'))
  t.same(await suback(till.client, ['salon/+/+/#']), [1], 'granted (narrowed to salon/s1/+/#: 3.1.1 has no code for "narrowed")')
  const pad = wire.device('pad-1')
  const padClient = await connectDevice(t, wire.ports.mqtt, pad)
  await padClient.client.publishAsync(topicOf('padSignature', SALON), envelope(pad, 'own-signature'), { qos: 1 })
  const foreign = { salonId: OTHER_SALON, deviceType: 'mango-pad' as const, deviceId: 'pad-9' }
  await wire.broker().pipeline.publish({ topic: topicOf('padSignature', OTHER_SALON), payload: envelope(foreign, 'other-signature'), qos: 1 }, { origin: 'hub' })
  await wire.broker().local.publish({ topic: topicOf('bookingsCreated', OTHER_SALON), payload: envelope(foreign, 'other-booking'), qos: 1, retain: false })
  await wire.broker().local.publish({ topic: topicOf('bookingsCreated', SALON), payload: envelope(foreign, 'own-booking'), qos: 1, retain: false })
  await till.inbox.until((m) => envelopeId(m) === 'own-booking', 5000, 'the own salon\'s booking from the bridge side')
  t.same(till.inbox.messages.map(envelopeId), ['own-signature', 'own-booking'], 'own salon messages only, in order')
})
