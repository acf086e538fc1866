// Does a persistent session whose wildcard subscriptions were refused or narrowed get, after going offline and reconnecting (even across a hub restart), only the queued messages its role allows?
import t from 'tap'
import { SALON, OTHER_SALON, startWireHub, type WireHub } from '../helpers/auth-wire-hub.js'
import { FAILURE, connectDevice, envelope, envelopeId, suback, type Device } from '../helpers/auth-wire-mqtt.js'
import { topicOf } from '../helpers/auth-wire-matrix.js'
import { type TopicFamilyName } from '../../src/envelope/index.js'
import { until } from '../helpers/wait.js'

const DEVICES = [
  { deviceType: 'check-in', deviceId: 'kiosk-1' },
  { deviceType: 'store-app', deviceId: 'till-1' },
  { deviceType: 'store-app', deviceId: 'till-2' }
] as const

function persistedFilters (wire: WireHub, clientId: string): string[] {
  return (wire.hub.store?.sessions.subscriptions.of(clientId) ?? []).map((s) => s.topic).sort()
}

function queued (wire: WireHub, clientId: string): number {
  return wire.hub.store?.sessions.queueDepths().find((q) => q.clientId === clientId)?.messages ?? 0
}

/** Publish on own-salon families as the store app till-2, and on another salon's through the hub itself. */
async function publishWhileOffline (wire: WireHub, sender: Device, own: readonly TopicFamilyName[], other: readonly TopicFamilyName[]): Promise<void> {
  const source = wire.device('till-2')
  for (const family of own) await sender.client.publishAsync(topicOf(family, SALON), envelope(source, `own|${family}`), { qos: 1 })
  const foreign = { salonId: OTHER_SALON, deviceType: 'store-app' as const, deviceId: 'till-9' }
  for (const family of other) await wire.broker().pipeline.publish({ topic: topicOf(family, OTHER_SALON), payload: envelope(foreign, `other|${family}`), qos: 1 }, { origin: 'hub' })
}

t.test('refused and narrowed filters of a clean-session-0 device are persisted narrowed or not at all, and the replayed queue holds only what the device may read', async (t) => {
  const first = await startWireHub(t, { devices: DEVICES })
  const kiosk = first.device('kiosk-1')
  const till = first.device('till-1')
  const k1 = await connectDevice(t, first.ports.mqtt, kiosk, { clean: false })
  t.same(
    await suback(k1.client, ['#', 'salon/+/#', 'salon/+/waitlist/#', `salon/${OTHER_SALON}/waitlist/#`, `salon/${SALON}/payments/#`]),
    [FAILURE, FAILURE, 1, FAILURE, FAILURE],
    'check-in: only the waitlist filter is granted (narrowed to its salon)'
  )
  const t1 = await connectDevice(t, first.ports.mqtt, till, { clean: false })
  t.same(await suback(t1.client, ['salon/+/+/#', '#']), [1, 1], 'store-app: both wildcards granted, narrowed')
  await k1.client.endAsync()
  await t1.client.endAsync()
  t.same(persistedFilters(first, kiosk.clientId), [`salon/${SALON}/waitlist/#`], 'check-in: only the narrowed filter is persisted, no refused one')
  t.same(persistedFilters(first, till.clientId), [`salon/${SALON}/#`, `salon/${SALON}/+/#`].sort(), 'store-app: the narrowed filters are persisted, not the originals')

  // the known Aedes leak lived in the persisted form: restart the hub and read it back from LevelDB
  await first.hub.close()
  const wire = await startWireHub(t, { dataDir: first.dataDir, known: first.devices })
  t.same(persistedFilters(wire, kiosk.clientId), [`salon/${SALON}/waitlist/#`], 'after a restart: the check-in session holds the narrowed filter only')
  t.same(persistedFilters(wire, till.clientId), [`salon/${SALON}/#`, `salon/${SALON}/+/#`].sort(), 'after a restart: the store-app session holds the narrowed filters only')

  const sender = await connectDevice(t, wire.ports.mqtt, wire.device('till-2'))
  const families: TopicFamilyName[] = ['waitlistUpdated', 'paymentsCompleted', 'ticketsCreated', 'padSignature']
  await publishWhileOffline(wire, sender, families, families)
  t.equal(queued(wire, kiosk.clientId), 1, 'check-in: one message queued (its salon\'s waitlist)')
  t.equal(queued(wire, till.clientId), families.length, 'store-app: its salon\'s messages queued, once each, none of the other salon')

  const k2 = await connectDevice(t, wire.ports.mqtt, kiosk, { clean: false })
  const t2 = await connectDevice(t, wire.ports.mqtt, till, { clean: false })
  // a live message after the queue: it arrives once the queue is drained [MQTT-4.6.0-2 order]
  await sender.client.publishAsync(topicOf('waitlistCurrent', SALON), envelope(wire.device('till-2'), 'live-marker'), { qos: 1 })
  await k2.inbox.until((m) => envelopeId(m) === 'live-marker', 5000, 'the check-in marker')
  await t2.inbox.until((m) => envelopeId(m) === 'live-marker', 5000, 'the store-app marker')
  t.same(k2.inbox.messages.map(envelopeId), ['own|waitlistUpdated', 'live-marker'], 'check-in: its salon\'s waitlist only, then the live message')
  t.same(t2.inbox.messages.map(envelopeId), [...families.map((f) => `own|${f}`), 'live-marker'], 'store-app: its salon\'s messages in order, then the live message; nothing of the other salon')
  await until(() => queued(wire, kiosk.clientId) === 0, 5000, 'the check-in queue to empty as its PUBACK arrives')
  t.equal(queued(wire, kiosk.clientId), 0, 'the check-in queue is empty')
})

t.test('a queued message the ACL no longer lets the device read is dropped on replay, not delivered (delivery check on the queue)', async (t) => {
  const first = await startWireHub(t, { devices: DEVICES })
  const till = first.device('till-1')
  const t1 = await connectDevice(t, first.ports.mqtt, till, { clean: false })
  t.same(await suback(t1.client, [`salon/${SALON}/#`]), [1], 'granted as is')
  await t1.client.endAsync()
  const sender = await connectDevice(t, first.ports.mqtt, first.device('till-2'))
  await publishWhileOffline(first, sender, ['paymentsCompleted', 'ticketsCreated'], [])
  t.equal(queued(first, till.clientId), 2, 'both messages queued while the rule allowed them')
  await first.hub.close()

  // the operator now denies payments to everyone: the queue and the subscription were stored before
  const wire = await startWireHub(t, { dataDir: first.dataDir, known: first.devices, config: { acl: { deny: [{ filter: 'salon/{salonId}/payments/#', action: 'subscribe' }] } } })
  t.equal(queued(wire, till.clientId), 2, 'after the restart the queue still holds both')
  const t2 = await connectDevice(t, wire.ports.mqtt, till, { clean: false })
  // the queue is replayed in order: the payment, queued first, would arrive before the ticket
  await t2.inbox.until((m) => envelopeId(m) === 'own|ticketsCreated', 5000, 'the queued ticket')
  await until(() => queued(wire, till.clientId) === 0, 5000, 'the queue to empty as the PUBACK arrives')
  t.same(t2.inbox.messages.map(envelopeId), ['own|ticketsCreated'], 'the denied payment was not delivered from the queue')
  t.equal(queued(wire, till.clientId), 0, 'and it left the queue: it is not replayed on every reconnect')
})

t.test('a persisted subscription the ACL now refuses is removed when the session is restored, so it queues nothing more', async (t) => {
  const first = await startWireHub(t, { devices: DEVICES })
  const till = first.device('till-1')
  const t1 = await connectDevice(t, first.ports.mqtt, till, { clean: false })
  t.same(await suback(t1.client, [`salon/${SALON}/#`, `salon/${SALON}/turns/#`]), [1, 1], 'both granted')
  await t1.client.endAsync()
  await first.hub.close()

  const wire = await startWireHub(t, { dataDir: first.dataDir, known: first.devices, config: { acl: { deny: [{ filter: 'salon/{salonId}/payments/#', action: 'subscribe' }] } } })
  t.same(persistedFilters(wire, till.clientId), [`salon/${SALON}/#`, `salon/${SALON}/turns/#`], 'both were persisted under the old rules')
  const t2 = await connectDevice(t, wire.ports.mqtt, till, { clean: false })
  // restoring the session authorizes its subscriptions again: salon/s1/# now overlaps the denied filter
  await until(() => persistedFilters(wire, till.clientId).length === 1, 5000, 'the refused subscription to leave the session')
  t.same(persistedFilters(wire, till.clientId), [`salon/${SALON}/turns/#`], 'only the subscription still allowed is kept')
  const sender = await connectDevice(t, wire.ports.mqtt, wire.device('till-2'))
  await publishWhileOffline(wire, sender, ['ticketsCreated', 'turnsAssigned'], [])
  await t2.inbox.until((m) => envelopeId(m) === 'own|turnsAssigned', 5000, 'the turn, through the kept subscription')
  t.same(t2.inbox.messages.map(envelopeId), ['own|turnsAssigned'], 'the ticket matched only the removed subscription: not delivered')
  await until(() => queued(wire, till.clientId) === 0, 5000, 'the turn to be acknowledged')
  await t2.client.endAsync()
  await publishWhileOffline(wire, sender, ['ticketsCreated'], [])
  t.equal(queued(wire, till.clientId), 0, 'offline, a message for the removed subscription is not queued')
})
