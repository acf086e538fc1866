/**
 * The bridge scenarios of issue 4, written against `HubFactory` so they run on the local stand-in
 * (test/bridge) and on the real hub (the lead's factory). Each starts its own real Mosquitto cloud.
 * "Exactly once" is checked with a sentinel: messages keep their order, so once a sentinel sent
 * after the others has arrived, any duplicate or echo would already have arrived too.
 */
import { join } from 'node:path'
import { type Test } from 'tap'
import { type MqttClient } from 'mqtt'
import { type BridgeStatus } from '../../src/bridge/index.js'
import { startCloud, type Cloud, type CloudKind } from './bridge-cloud.js'
import { type HubFactory, type HubUnderTest } from './bridge-harness.js'
import { subscribe, under, type Collector, type Seen } from './bridge-wait.js'
import { makePki } from './tls.js'

/** A seed-style envelope (`MqttMessage`) with id `id`. */
export function envelope (id: string, salonId: string, payload: unknown = { n: id }): string {
  return JSON.stringify({
    id,
    timestamp: new Date().toISOString(),
    source: { deviceId: 'test-device', deviceType: 'store-app', salonId },
    payload,
    version: 1
  })
}

/** The envelope id of a received payload. */
export function idOf (m: Seen): string {
  return (JSON.parse(m.payload) as { id: string }).id
}

/** A persistent cloud application session (clean false, QoS 1), so it misses nothing across a cloud restart. */
export const PERSISTENT = { clean: false, properties: { sessionExpiryInterval: 3600 } } as const

interface Setup {
  readonly cloud: Cloud
  readonly hub: HubUnderTest
  readonly salonId: string
  readonly prefix: string
  readonly dir: string
}

/** Start a cloud and a hub bridged to it, and wait until the bridge is online. */
export async function bridged (t: Test, factory: HubFactory, kind: CloudKind, salonId: string, bridge: Record<string, unknown> = {},
  cloudOptions: Parameters<typeof startCloud>[4] = {}): Promise<Setup> {
  const dir = t.testdir()
  const cloud = await startCloud(t, kind, salonId, join(dir, 'cloud'), cloudOptions)
  const hub = await factory({ dir: join(dir, 'hub'), salonId, bridge: cloud.bridgeSection(bridge) })
  t.teardown(async () => { await hub.close() })
  await hub.waitForStatus((s) => s.state === 'online', 'online')
  return { cloud, hub, salonId, prefix: `salon/${salonId}/`, dir }
}

async function publishAll (client: MqttClient, topic: (i: number) => string, ids: string[], salonId: string): Promise<void> {
  await Promise.all(ids.map(async (id, i) => { await client.publishAsync(topic(i), envelope(id, salonId), { qos: 1 }) }))
}

function range (prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`)
}

/** device → cloud and cloud → device at QoS 1, retained messages forwarded as retained. */
export async function scenarioRoundTrip (t: Test, factory: HubFactory, kind: CloudKind): Promise<void> {
  const salonId = 'salon-rt'
  const dir = t.testdir()
  const cloud = await startCloud(t, kind, salonId, join(dir, 'cloud'))
  const early = await cloud.app('app-early')
  await early.client.publishAsync(`salon/${salonId}/settings/hours`, envelope('c-early', salonId), { qos: 1, retain: true })
  await early.client.endAsync()
  const hub = await factory({ dir: join(dir, 'hub'), salonId, bridge: cloud.bridgeSection() })
  t.teardown(async () => { await hub.close() })
  const online = await hub.waitForStatus((s) => s.state === 'online', 'online')
  t.equal(online.protocolVersion, kind === 'v5' ? 5 : 4, kind === 'v5' ? 'the bridge speaks MQTT 5 to an MQTT 5 cloud' : 'the bridge fell back to MQTT 3.1.1 after CONNACK "unacceptable protocol version" [MQTT-3.1.2-2]')

  const app = await cloud.app('app-rt')
  await subscribe(app.client, `salon/${salonId}/#`)
  const device = await hub.device('device-rt')
  await subscribe(device.client, `salon/${salonId}/#`)

  await device.client.publishAsync(`salon/${salonId}/waitlist/current`, envelope('d-1', salonId), { qos: 1, retain: true })
  await device.client.publishAsync(`salon/${salonId}/pad/signature`, envelope('d-2', salonId), { qos: 1 })
  const up = await app.seen.atLeast(2, (m) => m.topic.endsWith('/waitlist/current') || m.topic.endsWith('/pad/signature'))
  t.same(up.map((m) => [m.topic, idOf(m), m.qos]), [
    [`salon/${salonId}/waitlist/current`, 'd-1', 1],
    [`salon/${salonId}/pad/signature`, 'd-2', 1]
  ], 'device messages reach the cloud at QoS 1, in order')
  const lateApp = await cloud.app('app-late')
  await subscribe(lateApp.client, `salon/${salonId}/waitlist/current`)
  const [retainedUp] = await lateApp.seen.atLeast(1)
  t.equal(retainedUp?.retain, true, 'a retained device message is retained on the cloud (a new cloud subscriber gets it) [MQTT-3.3.1-6]')

  await app.client.publishAsync(`salon/${salonId}/bookings/created`, envelope('c-1', salonId), { qos: 1, retain: true })
  const [down] = await device.seen.atLeast(1, under(`salon/${salonId}/bookings/`))
  t.same(down === undefined ? null : [idOf(down), down.qos], ['c-1', 1], 'a cloud message reaches the device at QoS 1')

  const lateDevice = await hub.device('device-late')
  await subscribe(lateDevice.client, `salon/${salonId}/settings/#`)
  await subscribe(lateDevice.client, `salon/${salonId}/bookings/#`)
  const expected = kind === 'v5' ? 2 : 1
  const retainedDown = await lateDevice.seen.atLeast(expected, (m) => m.retain)
  t.same(retainedDown.map(idOf).sort(), (kind === 'v5' ? ['c-1', 'c-early'] : ['c-early']),
    kind === 'v5'
      ? 'cloud retained messages are retained locally, live ones too (Retain As Published)'
      : 'a cloud message retained before the bridge subscribed is retained locally (3.1.1 clears the flag on live messages [MQTT-3.3.1-9])')
}

/** The cloud is stopped while devices publish; when it is back, everything arrives once, in order. */
export async function scenarioCloudOutage (t: Test, factory: HubFactory, kind: CloudKind, count = 50): Promise<void> {
  const { cloud, hub, salonId, prefix } = await bridged(t, factory, kind, 'salon-out')
  const app = await cloud.app('app-outage', PERSISTENT)
  await subscribe(app.client, `${prefix}tickets/#`)
  const device = await hub.device('device-outage')

  await cloud.mosquitto.stop()
  await hub.waitForStatus((s) => s.state === 'offline', 'offline after the cloud stopped')
  const ids = range('t-', count)
  await publishAll(device.client, (i) => `${prefix}tickets/${i}`, ids, salonId)
  const waiting = await hub.status()
  t.equal(waiting.outbox.messages, count, 'every message published while the cloud is down waits in the outbox')
  t.ok(waiting.outbox.oldestAgeSeconds !== null && waiting.outbox.oldestAgeSeconds >= 0, 'the outbox reports the age of its oldest message')

  await cloud.mosquitto.start()
  const back = await cloud.app('app-outage', PERSISTENT)
  await hub.waitForStatus((s) => s.state === 'online', 'online again')
  await device.client.publishAsync(`${prefix}tickets/sentinel`, envelope('t-sentinel', salonId), { qos: 1 })
  const got = await back.seen.atLeast(count + 1, under(`${prefix}tickets/`))
  t.same(got.map(idOf), [...ids, 't-sentinel'], 'after the outage every message arrives exactly once, in publish order')
  const drained = await hub.waitForStatus((s) => s.outbox.messages === 0, 'outbox drained')
  t.equal(drained.outbox.oldestAgeSeconds, null, 'an empty outbox has no oldest age')
}

/** The hub is away: the cloud queues for its persistent session; the hub restarts while the cloud is down and gets everything. */
export async function scenarioCloudQueuesWhileHubAway (t: Test, factory: HubFactory, kind: CloudKind, count = 20): Promise<void> {
  const { cloud, hub, salonId, prefix, dir } = await bridged(t, factory, kind, 'salon-away')
  await hub.close()
  const app = await cloud.app('app-away')
  const ids = range('b-', count)
  await publishAll(app.client, (i) => `${prefix}bookings/${i}`, ids, salonId)
  await cloud.mosquitto.stop()

  const again = await factory({ dir: join(dir, 'hub'), salonId, bridge: cloud.bridgeSection() })
  t.teardown(async () => { await again.close() })
  const device = await again.device('device-away')
  await subscribe(device.client, `${prefix}bookings/#`)
  await cloud.mosquitto.start()
  await again.waitForStatus((s) => s.state === 'online', 'online after the cloud came back')
  const app2 = await cloud.app('app-away-2')
  await app2.client.publishAsync(`${prefix}bookings/sentinel`, envelope('b-sentinel', salonId), { qos: 1 })
  const got = await device.seen.atLeast(count + 1, under(`${prefix}bookings/`))
  t.same(got.map(idOf), [...ids, 'b-sentinel'], 'messages the cloud queued for the hub session (clean false) reach the device once, in order')
}

/** A reconnect does not replay the cloud's retained messages to devices (checked with a payload that has no envelope id, so dedupe cannot hide a replay). */
export async function scenarioNoRetainedReplay (t: Test, factory: HubFactory, kind: CloudKind): Promise<void> {
  const salonId = 'salon-replay'
  const prefix = `salon/${salonId}/`
  const dir = t.testdir()
  const cloud = await startCloud(t, kind, salonId, join(dir, 'cloud'))
  const app = await cloud.app('app-replay')
  await app.client.publishAsync(`${prefix}settings/hours`, 'plain retained, no envelope', { qos: 1, retain: true })
  const hub = await factory({ dir: join(dir, 'hub'), salonId, bridge: cloud.bridgeSection() })
  t.teardown(async () => { await hub.close() })
  await hub.waitForStatus((s) => s.state === 'online', 'online')
  const device = await hub.device('device-replay')
  await subscribe(device.client, `${prefix}settings/#`)
  await device.seen.atLeast(1)
  // Barrier: the bridge acknowledged the retained message to the cloud right after storing it; a
  // message sent afterwards on the same connection, once seen by the cloud, proves that the cloud
  // has read that PUBACK too. Without it, stopping the cloud can catch the PUBACK in flight, and
  // the cloud then rightly redelivers the message (at least once), which this test would count as a replay.
  await subscribe(app.client, `${prefix}barrier`)
  await device.client.publishAsync(`${prefix}barrier`, envelope('barrier-replay', salonId), { qos: 1 })
  await app.seen.atLeast(1, (m) => m.topic === `${prefix}barrier`)
  await cloud.mosquitto.stop()
  await hub.waitForStatus((s) => s.state === 'offline', 'offline')
  await cloud.mosquitto.start()
  await hub.waitForStatus((s) => s.state === 'online', 'online again')
  const app2 = await cloud.app('app-replay-2')
  await app2.client.publishAsync(`${prefix}settings/sentinel`, 'sentinel', { qos: 1 })
  const got = await device.seen.atLeast(2)
  // The first copy is retained when the hub had stored the cloud's message before the device
  // subscribed, and live when the device subscribed while it was being stored: either way, once.
  t.same(got.map((m) => m.payload), ['plain retained, no envelope', 'sentinel'],
    kind === 'v5'
      ? 'the retained message reached the device once: the resubscription uses Retain Handling 1'
      : 'the retained message reached the device once: with the session kept, the bridge did not subscribe again')
}

/** Both sides subscribed to salon/{id}/#: nothing echoes back, and duplicates are dropped by envelope id. */
export async function scenarioNoEcho (t: Test, factory: HubFactory, kind: CloudKind): Promise<void> {
  const { cloud, hub, salonId, prefix } = await bridged(t, factory, kind, 'salon-echo')
  const app = await cloud.app('app-echo')
  await subscribe(app.client, `${prefix}#`)
  const device = await hub.device('device-echo')
  await subscribe(device.client, `${prefix}#`)
  const notStatus = (m: Seen): boolean => m.topic.startsWith(prefix) && !m.topic.endsWith('/hub/status')

  await publishAll(device.client, (i) => `${prefix}tickets/updated/${i}`, range('d-', 5), salonId)
  await device.client.publishAsync(`${prefix}tickets/updated/dup`, envelope('d-dup', salonId), { qos: 1 })
  await device.client.publishAsync(`${prefix}tickets/updated/dup`, envelope('d-dup', salonId), { qos: 1 })
  await publishAll(app.client, (i) => `${prefix}bookings/created/${i}`, range('c-', 5), salonId)
  await app.client.publishAsync(`${prefix}bookings/created/dup`, envelope('c-dup', salonId), { qos: 1 })
  await app.client.publishAsync(`${prefix}bookings/created/dup`, envelope('c-dup', salonId), { qos: 1 })

  // Barriers: X goes device → cloud, then Y cloud → device, then Z device → cloud. An echo of
  // anything earlier travels the same ordered paths and would arrive before them.
  await device.client.publishAsync(`${prefix}barrier/x`, envelope('x', salonId), { qos: 1 })
  await app.seen.atLeast(1, (m) => m.topic === `${prefix}barrier/x`)
  await app.client.publishAsync(`${prefix}barrier/y`, envelope('y', salonId), { qos: 1 })
  await device.seen.atLeast(1, (m) => m.topic === `${prefix}barrier/y`)
  await device.client.publishAsync(`${prefix}barrier/z`, envelope('z', salonId), { qos: 1 })
  await app.seen.atLeast(1, (m) => m.topic === `${prefix}barrier/z`)
  await device.seen.atLeast(1, (m) => m.topic === `${prefix}barrier/z`)

  const atDevice = device.seen.where(notStatus).map(idOf)
  const atCloud = app.seen.where(notStatus).map(idOf)
  t.same(count(atDevice), { ...ones([...range('d-', 5), ...range('c-', 5), 'x', 'y', 'z']), 'd-dup': 2, 'c-dup': 1 },
    'the device sees its own messages once (no echo from the cloud) and a cloud message published twice with one envelope id once')
  t.same(count(atCloud), { ...ones([...range('d-', 5), ...range('c-', 5), 'x', 'y', 'z']), 'd-dup': 1, 'c-dup': 2 },
    'the cloud sees its own messages once (no echo from the hub) and a device message published twice with one envelope id once')
  const status = await hub.status()
  if (kind === 'v5') {
    t.equal(status.counts.duplicates, 2, 'only the two republished envelopes were dropped: with No Local the cloud never sent our own messages back')
  } else {
    // echoes of d-1..d-5, d-dup and x reached the bridge before y did, plus the two republished envelopes
    t.ok(status.counts.duplicates >= 9, `the 3.1.1 cloud echoed our messages and the bridge dropped them by envelope id (${status.counts.duplicates} duplicates)`)
  }
}

function count (ids: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const id of ids) out[id] = (out[id] ?? 0) + 1
  return out
}

function ones (ids: string[]): Record<string, number> {
  return Object.fromEntries(ids.map((id) => [id, 1]))
}

/** The outbox is full while the cloud is down: the policy applies and shows in the status. */
export async function scenarioOutboxFull (t: Test, factory: HubFactory, whenFull: 'drop-oldest' | 'refuse-new'): Promise<BridgeStatus> {
  const { cloud, hub, salonId, prefix } = await bridged(t, factory, 'v5', 'salon-full', { outbox: { maxMessages: 5, whenFull } })
  const app = await cloud.app('app-full', PERSISTENT)
  await subscribe(app.client, `${prefix}tickets/#`)
  const device = await hub.device('device-full')
  await cloud.mosquitto.stop()
  await hub.waitForStatus((s) => s.state === 'offline', 'offline')
  const ids = range('t-', 8)
  for (const [i, id] of ids.entries()) await device.client.publishAsync(`${prefix}tickets/${i}`, envelope(id, salonId), { qos: 1 })
  const full = await hub.status()
  t.same({ messages: full.outbox.messages, dropped: full.counts.dropped, full: full.outbox.full, whenFull: full.outbox.whenFull },
    { messages: 5, dropped: 3, full: true, whenFull }, `a full outbox (5 messages) applies ${whenFull} to 3 more, counts them and says it is full`)

  await cloud.mosquitto.start()
  const back = await cloud.app('app-full', PERSISTENT)
  await hub.waitForStatus((s) => s.state === 'online' && s.outbox.messages === 0, 'online and drained')
  await device.client.publishAsync(`${prefix}tickets/sentinel`, envelope('t-sentinel', salonId), { qos: 1 })
  const got = await back.seen.atLeast(6, under(`${prefix}tickets/`))
  const kept = whenFull === 'drop-oldest' ? ids.slice(3) : ids.slice(0, 5)
  t.same(got.map(idOf), [...kept, 't-sentinel'], whenFull === 'drop-oldest'
    ? 'drop-oldest forwards the 5 most recent messages, in order'
    : 'refuse-new forwards the 5 oldest messages, in order')
  const after = await hub.status()
  t.same({ dropped: after.counts.dropped, full: after.outbox.full }, { dropped: 3, full: false }, 'once a message is stored without dropping, the outbox is no longer full; the count stays')
  return after
}

/** A misconfigured link (wrong CA, wrong password, refused subscription): the status says why and local traffic is unaffected. */
export async function scenarioLinkRefused (t: Test, factory: HubFactory, kind: CloudKind, fault: 'ca' | 'password' | 'subscription'): Promise<BridgeStatus> {
  const salonId = 'salon-bad'
  const dir = t.testdir()
  const acls = fault === 'subscription' ? { [salonId]: [{ acltype: 'subscribePattern', topic: `salon/${salonId}/#`, allow: false }] } : undefined
  const cloud = await startCloud(t, kind, salonId, join(dir, 'cloud'), acls === undefined ? {} : { acls })
  let bridge: Record<string, unknown> = {}
  if (fault === 'password') bridge = { password: 'wrong-password' }
  if (fault === 'ca') bridge = { ca: (await makePki(dir, 'other')).ca }
  const hub = await factory({ dir: join(dir, 'hub'), salonId, bridge: cloud.bridgeSection(bridge) })
  t.teardown(async () => { await hub.close() })
  const kinds = { ca: 'tls', password: 'auth', subscription: 'subscription' } as const
  const status = await hub.waitForStatus((s) => s.lastError?.kind === kinds[fault], `lastError of kind ${kinds[fault]}`)
  t.equal(status.state, 'offline', 'the bridge is offline, not online, when the link is refused')
  t.match(status.lastError?.message, { ca: /certificate|TLS/, password: /credentials.*CONNACK (4|5|134|135)/, subscription: new RegExp(`subscription to 'salon/${salonId}/#'.*0x8`) }[fault],
    `lastError says why: ${status.lastError?.message ?? 'nothing'}`)

  const a = await hub.device('device-a')
  const b = await hub.device('device-b')
  await subscribe(a.client, `salon/${salonId}/#`)
  await b.client.publishAsync(`salon/${salonId}/checkin/client`, envelope('local-1', salonId), { qos: 1 })
  const [local] = await a.seen.atLeast(1, under(`salon/${salonId}/checkin/`))
  t.equal(local === undefined ? null : idOf(local), 'local-1', 'devices still talk to each other through the hub')
  const after = await hub.status()
  t.equal(after.outbox.messages, 1, 'the local message waits in the outbox for the link')
  t.equal(after.state, 'offline', 'the bridge stays offline while the cloud refuses it')
  return after
}

/** A frozen cloud (SIGSTOP: socket open, nothing answered) is detected by keepalive; the will marks the hub offline on the cloud. */
export async function scenarioDeadLink (t: Test, factory: HubFactory, kind: CloudKind): Promise<void> {
  const { cloud, hub, prefix } = await bridged(t, factory, kind, 'salon-dead', { keepalive: 5 })
  const watcher = await cloud.app('app-watch')
  await subscribe(watcher.client, `${prefix}hub/status`)
  await watcher.seen.atLeast(1)
  cloud.mosquitto.freeze()
  const offline = await hub.waitForStatus((s) => s.state === 'offline', 'offline by keepalive', 20_000)
  t.equal(offline.lastError?.kind, 'keepalive', 'the dead link is detected by the keepalive (no PINGRESP), not by a socket close')
  cloud.mosquitto.thaw()
  await hub.waitForStatus((s) => s.state === 'online', 'online after the cloud thawed', 40_000)
  const states = await watcher.seen.atLeast(3)
  const seq = states.map((m) => (JSON.parse(m.payload) as { state: string }).state)
  t.same(seq.slice(-2), ['offline', 'online'], 'on the cloud, the will marks the hub offline, then the birth message online')
}

/** A 10,000-message backlog drains completely and in order (QoS 1 pipelining; time is not asserted). */
export async function scenarioBacklog (t: Test, factory: HubFactory, count = 10_000): Promise<void> {
  const { cloud, hub, salonId, prefix } = await bridged(t, factory, 'v5', 'salon-backlog')
  const app = await cloud.app('app-backlog', PERSISTENT)
  await subscribe(app.client, `${prefix}tickets/#`)
  const device = await hub.device('device-backlog')
  await cloud.mosquitto.stop()
  await hub.waitForStatus((s) => s.state === 'offline', 'offline')
  const ids = range('t-', count)
  for (let i = 0; i < count; i += 500) {
    await publishAll(device.client, (j) => `${prefix}tickets/${i + j}`, ids.slice(i, i + 500), salonId)
  }
  t.equal((await hub.status()).outbox.messages, count, `the outbox holds the ${count}-message backlog`)
  await cloud.mosquitto.start()
  const back = await cloud.app('app-backlog', PERSISTENT)
  const got = await back.seen.atLeast(count, under(`${prefix}tickets/`), 120_000)
  const order = got.map(idOf)
  t.equal(order.length, count, `all ${count} messages arrive`)
  t.ok(order.every((id, i) => id === ids[i]), 'in publish order')
  await hub.waitForStatus((s) => s.outbox.messages === 0, 'outbox drained', 30_000)
}

/** The hub restarts while the cloud is down: the outbox survives and drains, and new messages follow the old ones. */
export async function scenarioRestartWhileCloudDown (t: Test, factory: HubFactory, kind: CloudKind, count = 20): Promise<void> {
  const { cloud, hub, salonId, prefix, dir } = await bridged(t, factory, kind, 'salon-restart')
  const app = await cloud.app('app-restart', PERSISTENT)
  await subscribe(app.client, `${prefix}tickets/#`)
  await cloud.mosquitto.stop()
  await hub.waitForStatus((s) => s.state === 'offline', 'offline')
  const device = await hub.device('device-restart')
  const ids = range('t-', count)
  await publishAll(device.client, (i) => `${prefix}tickets/${i}`, ids, salonId)
  await hub.close()

  const again = await factory({ dir: join(dir, 'hub'), salonId, bridge: cloud.bridgeSection() })
  t.teardown(async () => { await again.close() })
  const reopened = await again.status()
  t.equal(reopened.outbox.messages, count, 'the outbox is still there after the restart')
  const device2 = await again.device('device-restart')
  await device2.client.publishAsync(`${prefix}tickets/after`, envelope('t-after', salonId), { qos: 1 })
  await cloud.mosquitto.start()
  const back = await cloud.app('app-restart', PERSISTENT)
  const got = await back.seen.atLeast(count + 1, under(`${prefix}tickets/`))
  t.same(got.map(idOf), [...ids, 't-after'], 'the old backlog drains first, in order, then the message published after the restart')
}

export { type Collector }
