// When a device subscribes, can a retained message of another salon, or one its role may not read, reach it through a wildcard?
import t from 'tap'
import { OTHER_SALON, SALON, startWireHub } from '../helpers/auth-wire-hub.js'
import { FAILURE, connectDevice, envelope, envelopeId, suback } from '../helpers/auth-wire-mqtt.js'
import { topicOf } from '../helpers/auth-wire-matrix.js'

t.test('retained messages reach a subscriber only from its own salon and its role', async (t) => {
  const wire = await startWireHub(t, { devices: [{ deviceType: 'check-in', deviceId: 'kiosk-1' }, { deviceType: 'store-app', deviceId: 'till-1' }] })
  const hubSource = { salonId: SALON, deviceType: 'store-app' as const, deviceId: 'hub' }
  const foreign = { salonId: OTHER_SALON, deviceType: 'store-app' as const, deviceId: 'till-9' }
  const retained: Array<[string, Buffer]> = [
    [topicOf('waitlistCurrent', SALON), envelope(hubSource, 'own-waitlist')],
    [topicOf('paymentsCompleted', SALON), envelope(hubSource, 'own-payment')],
    [topicOf('waitlistCurrent', OTHER_SALON), envelope(foreign, 'other-waitlist')],
    [topicOf('paymentsCompleted', OTHER_SALON), envelope(foreign, 'other-payment')]
  ]
  for (const [topic, payload] of retained) await wire.broker().pipeline.publish({ topic, payload, qos: 1, retain: true }, { origin: 'hub' })
  t.equal(wire.hub.store?.sessions.retained.size, retained.length, 'four retained messages, two of another salon')

  const till = await connectDevice(t, wire.ports.mqtt, wire.device('till-1'))
  const kiosk = await connectDevice(t, wire.ports.mqtt, wire.device('kiosk-1'))
  t.same(await suback(kiosk.client, ['salon/+/waitlist/#', '#', `salon/${OTHER_SALON}/waitlist/#`, 'salon/+/payments/#']), [1, FAILURE, FAILURE, FAILURE], 'check-in: the waitlist wildcard is narrowed, the rest refused')
  t.same(await suback(till.client, ['#', 'salon/+/+/#']), [1, 1], 'store-app: both wildcards narrowed to its salon')

  // a live message published after the SUBACKs arrives after the retained ones they started
  await till.client.publishAsync(topicOf('ticketsUpdated', SALON), envelope(wire.device('till-1'), 'marker'), { qos: 1 })
  await till.client.publishAsync(topicOf('waitlistUpdated', SALON), envelope(wire.device('till-1'), 'marker'), { qos: 1 })
  await kiosk.inbox.until((m) => envelopeId(m) === 'marker', 5000, 'the check-in marker')
  await till.inbox.until((m) => envelopeId(m) === 'marker', 5000, 'the store-app marker')

  const retainedIds = (messages: typeof till.inbox.messages): string[] => [...new Set(messages.filter((m) => m.retain).map((m) => envelopeId(m) ?? m.topic))].sort()
  t.same(retainedIds(kiosk.inbox.messages), ['own-waitlist'], 'check-in: its salon\'s retained waitlist only')
  t.same(retainedIds(till.inbox.messages), ['own-payment', 'own-waitlist'], 'store-app: its salon\'s retained messages only')
})
