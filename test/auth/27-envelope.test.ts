// Over MQTT, is a device publish whose envelope is spoofed, malformed, incomplete or oversize acknowledged and dropped (never delivered, counted, logged by field without the payload), while an empty retained payload still clears a retained topic?
import t from 'tap'
import { createMessage } from '../../src/envelope/index.js'
import { OTHER_SALON, SALON, counter, startWireHub } from '../helpers/auth-wire-hub.js'
import { connectDevice, envelope, envelopeId, suback } from '../helpers/auth-wire-mqtt.js'
import { topicOf } from '../helpers/auth-wire-matrix.js'
import { until } from '../helpers/wait.js'

const MAX_BYTES = 1024
const SECRET = 'signature-data-that-must-never-be-logged'

t.test('bad envelopes from a device are acknowledged, dropped, counted and logged; the next good one is delivered', async (t) => {
  const wire = await startWireHub(t, {
    devices: [{ deviceType: 'mango-pad', deviceId: 'pad-1' }, { deviceType: 'mango-pad', deviceId: 'pad-2' }, { deviceType: 'store-app', deviceId: 'till-1' }],
    config: { envelope: { maxBytes: MAX_BYTES } }
  })
  const pad = wire.device('pad-1')
  const till = await connectDevice(t, wire.ports.mqtt, wire.device('till-1'))
  t.same(await suback(till.client, [`salon/${SALON}/#`]), [1], 'the store app reads its salon')
  const sender = await connectDevice(t, wire.ports.mqtt, pad)
  const good = (): Record<string, unknown> => ({ ...createMessage(pad, { ticketId: 't-1', signatureData: SECRET }, { id: 'bad' }) })
  const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value))
  const withSource = (field: string, value: string): Buffer => {
    const m = good()
    return json({ ...m, source: { ...(m.source as object), [field]: value } })
  }
  const missing = (field: string): Buffer => {
    const m = good()
    delete m[field]
    return json(m)
  }
  const cases: Array<[string, Buffer, RegExp]> = [
    ['the source of another device (spoofing)', withSource('deviceId', 'pad-2'), /source\.deviceId "pad-2" does not match the authenticated device "pad-1"/],
    ['the source of another device type', withSource('deviceType', 'store-app'), /source\.deviceType/],
    ['the source of another salon', withSource('salonId', OTHER_SALON), /source\.salonId/],
    ['malformed JSON', Buffer.from(`{"id": "x", "payload": "${SECRET}"`), /not valid UTF-8 JSON/],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not valid UTF-8 JSON/],
    ['a JSON array', json([good()]), /must be a JSON object/],
    ['no id', missing('id'), /^envelope: id/],
    ['no timestamp', missing('timestamp'), /timestamp/],
    ['no source', missing('source'), /source must be an object/],
    ['no payload', missing('payload'), /payload is missing/],
    ['no version', missing('version'), /version/],
    ['a timestamp that is not ISO 8601', json({ ...good(), timestamp: 'yesterday' }), /timestamp/],
    ['an empty payload that does not clear a retained message', Buffer.alloc(0), /empty payload/],
    ['an oversize envelope', json({ ...good(), payload: { signatureData: SECRET.repeat(40) } }), /exceeds envelope\.maxBytes/]
  ]
  const before = await counter(wire.ports, 'mango_publish_forbidden_total')
  for (const [what, payload, reason] of cases) {
    await t.resolves(sender.client.publishAsync(topicOf('padSignature', SALON), payload, { qos: 1 }), `${what}: PUBACK received`)
    const line = wire.lines.findLast((l) => l.msg === 'publish refused' && l.clientId === pad.clientId)
    t.match(line, { level: 40, topic: topicOf('padSignature', SALON), bytes: payload.length, reason }, `${what}: logged at warn, the reason names the field`)
  }
  const limit = envelope(pad, 'fits', { signatureData: 'x'.repeat(MAX_BYTES - 300) })
  t.ok(limit.length <= MAX_BYTES, 'a valid envelope within envelope.maxBytes')
  await sender.client.publishAsync(topicOf('padSignature', SALON), limit, { qos: 1 })
  await sender.client.publishAsync(topicOf('padSignature', SALON), envelope(pad, 'good-after'), { qos: 1 })
  await till.inbox.until((m) => envelopeId(m) === 'good-after', 5000, 'the good envelope')
  // one publisher's messages arrive in order [MQTT-4.6.0-6]: a delivered bad one would precede it
  t.same(till.inbox.messages.map(envelopeId), ['fits', 'good-after'], 'none of the bad envelopes was delivered')
  t.equal(await counter(wire.ports, 'mango_publish_forbidden_total') - before, cases.length, 'every bad envelope counted')
  t.equal(sender.closes(), 0, 'the publisher was never disconnected')
  t.notOk(wire.text().includes(SECRET), 'no payload in the log')
})

t.test('an empty retained payload from a device clears the retained topic [MQTT-3.3.1-10]', async (t) => {
  const wire = await startWireHub(t, { devices: [{ deviceType: 'store-app', deviceId: 'till-1' }, { deviceType: 'check-in', deviceId: 'kiosk-1' }, { deviceType: 'check-in', deviceId: 'kiosk-2' }] })
  const tillId = wire.device('till-1')
  const till = await connectDevice(t, wire.ports.mqtt, tillId)
  const topic = topicOf('waitlistCurrent', SALON)
  await till.client.publishAsync(topic, envelope(tillId, 'waitlist-v1'), { qos: 1, retain: true })
  t.equal(wire.hub.store?.sessions.retained.size, 1, 'the waitlist is retained')
  const k1 = await connectDevice(t, wire.ports.mqtt, wire.device('kiosk-1'))
  t.same(await suback(k1.client, [topic]), [1])
  const retained = await k1.inbox.until((m) => envelopeId(m) === 'waitlist-v1', 5000, 'the retained waitlist')
  t.equal(retained.retain, true, 'a new subscriber gets it as retained')

  const before = await counter(wire.ports, 'mango_publish_forbidden_total')
  await till.client.publishAsync(topic, Buffer.alloc(0), { qos: 1, retain: true })
  await until(() => wire.hub.store?.sessions.retained.size === 0, 5000, 'the retained message to be cleared')
  t.equal(wire.hub.store?.sessions.retained.size, 0, 'the empty retained payload passed the envelope check and cleared the topic')
  t.equal(await counter(wire.ports, 'mango_publish_forbidden_total'), before, 'it was not counted as a drop')
  const k2 = await connectDevice(t, wire.ports.mqtt, wire.device('kiosk-2'))
  t.same(await suback(k2.client, [topic]), [1])
  await till.client.publishAsync(topic, envelope(tillId, 'live-after'), { qos: 1 })
  await k2.inbox.until((m) => envelopeId(m) === 'live-after', 5000, 'the live message')
  t.same(k2.inbox.messages.map(envelopeId), ['live-after'], 'a later subscriber gets no retained waitlist')
})
