// Does the bridge report its state everywhere it should (status(), 'status' events, the retained local hub/status topic, /metrics, one log line per change, the cloud's retained status), and never log payloads or secrets?
import t from 'tap'
import { join } from 'node:path'
import { createBridge } from '../../src/bridge/index.js'
import { ConfigError } from '../../src/errors.js'
import { Metrics } from '../../src/metrics/metrics.js'
import { startCloud } from '../helpers/bridge-cloud.js'
import { bridgeConfig } from '../helpers/bridge-config.js'
import { startLocalBridgeHub } from '../helpers/bridge-harness.js'
import { startLocalHub } from '../helpers/bridge-local.js'
import { captureLog } from '../helpers/bridge-log.js'
import { envelope } from '../helpers/bridge-scenarios.js'
import { subscribe, under } from '../helpers/bridge-wait.js'

t.test('createBridge refuses filters outside the salon and a cert without its key', async (t) => {
  const hub = await startLocalHub(t.testdir())
  t.teardown(async () => { await hub.close() })
  const base = { salonId: 'a', db: hub.sublevel, local: hub.local, log: captureLog().log, metrics: new Metrics() }
  t.throws(() => createBridge({ ...base, config: bridgeConfig({ url: 'mqtts://cloud:8883', topics: [{ filter: 'salon/#' }] }) }), ConfigError,
    'a filter reaching other salons is a configuration error')
  t.throws(() => createBridge({ ...base, config: bridgeConfig({ url: 'mqtts://cloud:8883', cert: 'c.pem' }) }), ConfigError,
    'a client certificate without its key is a configuration error')
})

t.test('without bridge.url the bridge is disabled and says so', async (t) => {
  const hub = await startLocalBridgeHub({ dir: t.testdir(), salonId: 'salon-off', bridge: {} })
  t.teardown(async () => { await hub.close() })
  const status = await hub.status()
  t.same([status.state, status.protocolVersion, status.lastError], ['disabled', null, null], 'state disabled, no protocol, no error')
  t.same(hub.states, ['disabled'], 'one status event')
  t.equal(hub.captured.matching('bridge: disabled').length, 1, 'one log line')
  const device = await hub.device('device-off')
  await subscribe(device.client, 'salon/salon-off/#')
  const [retained] = await device.seen.atLeast(1, under('salon/salon-off/hub/status'))
  t.same(retained === undefined ? null : [JSON.parse(retained.payload).bridge, retained.retain], ['disabled', true], 'the retained local hub/status says disabled')
  await device.client.publishAsync('salon/salon-off/tickets/x', 'local only', { qos: 1 })
  t.equal((await hub.status()).outbox.messages, 0, 'nothing is taken into an outbox')
  t.match(hub.metrics.render(), /mango_bridge_state\{state="disabled"\} 1/, 'the state is in /metrics')
})

t.test('state changes: status events, retained local status, metrics, one log line each; clean close marks the hub offline on the cloud', async (t) => {
  const salonId = 'salon-st'
  const dir = t.testdir()
  const cloud = await startCloud(t, 'v5', salonId, join(dir, 'cloud'))
  const hub = await startLocalBridgeHub({ dir: join(dir, 'hub'), salonId, bridge: cloud.bridgeSection() })
  t.teardown(async () => { await hub.close() })
  await hub.waitForStatus((s) => s.state === 'online', 'online')
  const device = await hub.device('device-st')
  await subscribe(device.client, `salon/${salonId}/#`)
  const marker = 'SECRET-PAYLOAD-MARKER'
  await device.client.publishAsync(`salon/${salonId}/pad/signature`, envelope('p-1', salonId, { signatureData: marker }), { qos: 1 })

  await cloud.mosquitto.stop()
  await hub.waitForStatus((s) => s.state === 'offline', 'offline')
  const offline = await hub.status()
  t.equal(offline.lastError?.kind, 'network', 'a stopped cloud is a network failure')
  t.ok(Date.parse(offline.since) <= Date.now(), 'since is an ISO time')
  await cloud.mosquitto.start()
  await hub.waitForStatus((s) => s.state === 'online', 'online again')

  t.same(hub.states, ['connecting', 'online', 'offline', 'online'], 'one status event per state change, in order')
  t.same(['connecting', 'online', 'offline'].map((s) => hub.captured.matching(`bridge: ${s}`).length), [1, 2, 1], 'one log line per state change, none per retry')
  const local = await device.seen.atLeast(3, under(`salon/${salonId}/hub/status`))
  t.same(local.map((m) => JSON.parse(m.payload).bridge), ['online', 'offline', 'online'], 'a subscribed device gets the retained state, then follows every change on hub/status')
  const late = await hub.device('device-late')
  await subscribe(late.client, `salon/${salonId}/hub/status`)
  const [current] = await late.seen.atLeast(1)
  t.same(current === undefined ? null : [JSON.parse(current.payload).bridge, current.retain], ['online', true], 'a device connecting later gets the current state, retained')

  const metrics = hub.metrics.render()
  for (const line of ['mango_bridge_state{state="online"} 1', 'mango_bridge_state{state="offline"} 0', 'mango_bridge_outbox_messages 0',
    'mango_bridge_outbox_bytes 0', 'mango_bridge_outbox_oldest_age_seconds 0', 'mango_bridge_messages_out_total 1', 'mango_bridge_link_failures_total{kind="network"}']) {
    t.ok(metrics.includes(line), `/metrics has ${line}`)
  }
  t.notOk(hub.captured.raw.some((l) => l.includes(marker)), 'no log line (debug included) contains a payload')
  t.notOk(hub.captured.raw.some((l) => l.includes(cloud.bridgePassword)), 'no log line contains the bridge password')

  const watcher = await cloud.app('watcher')
  await subscribe(watcher.client, `salon/${salonId}/hub/status`)
  const [birth] = await watcher.seen.atLeast(1)
  t.equal(birth === undefined ? null : JSON.parse(birth.payload).state, 'online', 'the cloud holds the retained birth message')
  await hub.close()
  const [, goodbye] = await watcher.seen.atLeast(2)
  t.same(goodbye === undefined ? null : JSON.parse(goodbye.payload).state, 'offline', 'a clean close publishes the retained offline status (a clean DISCONNECT does not send the will)')
  t.equal((await hub.status()).state, 'offline', 'a closed bridge is offline')
})

t.test('a second client taking over the bridge session: the bridge reports the lost link and takes its session back', async (t) => {
  const salonId = 'salon-twin'
  const dir = t.testdir()
  const cloud = await startCloud(t, 'v5', salonId, join(dir, 'cloud'))
  const hub = await startLocalBridgeHub({ dir: join(dir, 'hub'), salonId, bridge: cloud.bridgeSection() })
  t.teardown(async () => { await hub.close() })
  await hub.waitForStatus((s) => s.state === 'online', 'online')
  const twin = await cloud.mosquitto.client(salonId, cloud.bridgePassword, { clientId: `mango-hub-${salonId}`, protocolVersion: 5, clean: true })
  const twinClosed = new Promise<void>((resolve) => { twin.once('close', () => { resolve() }) })
  // Mosquitto 2.0.11 closes the old connection without a DISCONNECT reason; brokers that send
  // 0x8E get a status naming a second hub with the same clientId (see the unit test).
  await twinClosed
  t.pass('the bridge reconnected and took the session back from the twin')
  const status = await hub.waitForStatus((s) => s.state === 'online', 'online again')
  t.equal(status.lastError?.kind, 'network', 'the lost link is in lastError')
  t.same(hub.states.slice(0, 3), ['connecting', 'online', 'offline'], 'the takeover was reported as a state change')
})
