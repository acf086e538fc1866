// Does the real hub show its bridge where the issue says (the `bridge` key of /status, /metrics, its 'status' events, the retained local hub/status topic, the cloud's retained status), and forward only its own salon?
import t from 'tap'
import { join } from 'node:path'
import { startCloud } from '../helpers/bridge-cloud.js'
import { envelope, idOf } from '../helpers/bridge-scenarios.js'
import { subscribe, under } from '../helpers/bridge-wait.js'
import { startE2eHub } from '../helpers/e2e-hub.js'

t.test('without bridge.url the hub\'s /status says the bridge is disabled, and no bridge runs', async (t) => {
  const hub = await startE2eHub(t, { dir: join(t.testdir(), 'hub'), salonId: 'salon-nobridge', bridge: {} })
  t.same((await hub.httpStatus()).bridge, { state: 'disabled' }, '/status bridge is { state: "disabled" }')
  t.equal(hub.events.filter((e) => e.component === 'bridge').length, 0, 'no bridge status events')
  t.equal(hub.captured.matching('bridge:').length, 0, 'no bridge log lines')
})

t.test('a bridged hub reports the bridge in /status, /metrics, status events and on hub/status, locally and on the cloud', async (t) => {
  const salonId = 'salon-hubst'
  const prefix = `salon/${salonId}/`
  const dir = t.testdir()
  const cloud = await startCloud(t, 'v5', salonId, join(dir, 'cloud'))
  const watcher = await cloud.app('watcher')
  await subscribe(watcher.client, `${prefix}hub/status`)
  const app = await cloud.app('app-hubst')
  await subscribe(app.client, 'salon/#')
  const hub = await startE2eHub(t, { dir: join(dir, 'hub'), salonId, bridge: cloud.bridgeSection() })
  await hub.waitForStatus((s) => s.state === 'online', 'online')

  const device = await hub.device('device-hubst')
  await subscribe(device.client, `${prefix}#`)
  const [local] = await device.seen.atLeast(1, under(`${prefix}hub/status`))
  t.same(local === undefined ? null : [JSON.parse(local.payload).bridge, local.retain], ['online', true], 'a device gets the retained local hub/status: online')

  await subscribe(device.client, 'salon/other-salon/#')
  await device.client.publishAsync('salon/other-salon/tickets/1', envelope('other-1', 'other-salon'), { qos: 1 })
  await device.seen.atLeast(1, under('salon/other-salon/'))
  t.pass('the hub delivers a message on another salon\'s topic locally (open mode: deny rules only)')
  await device.client.publishAsync(`${prefix}tickets/1`, envelope('own-1', salonId), { qos: 1 })
  await app.client.publishAsync(`${prefix}bookings/1`, envelope('cloud-1', salonId), { qos: 1 })
  const [up] = await app.seen.atLeast(1, under(`${prefix}tickets/`))
  await device.seen.atLeast(1, under(`${prefix}bookings/`))
  t.equal(up === undefined ? null : idOf(up), 'own-1', 'the salon\'s message reaches the cloud')
  t.same(app.seen.where(under('salon/other-salon/')), [], 'a message on another salon\'s topic is not forwarded (it was published before the salon\'s one)')

  const status = await hub.httpStatus()
  t.match(status.bridge, {
    state: 'online',
    since: String,
    lastError: null,
    protocolVersion: 5,
    outbox: { messages: 0, bytes: 0, oldestAgeSeconds: null, whenFull: 'drop-oldest', full: false },
    counts: { in: 1, out: 1, dropped: 0, duplicates: 0 }
  }, '/status has the documented bridge document, with one message each way')
  const metrics = await hub.metricsText()
  for (const line of ['mango_bridge_state{state="online"} 1', 'mango_bridge_state{state="offline"} 0', 'mango_bridge_outbox_messages 0', 'mango_bridge_messages_out_total 1', 'mango_bridge_messages_in_total 1']) {
    t.ok(metrics.includes(line), `the hub's /metrics has ${line}`)
  }

  const [birth] = await watcher.seen.atLeast(1)
  t.equal(birth === undefined ? null : JSON.parse(birth.payload).state, 'online', 'the cloud holds the retained birth message')
  await hub.close()
  const [, goodbye] = await watcher.seen.atLeast(2)
  t.equal(goodbye === undefined ? null : JSON.parse(goodbye.payload).state, 'offline', 'hub.close() publishes the retained offline status on the cloud')
  t.same(hub.events.filter((e) => e.component === 'bridge').map((e) => e.state), ['connecting', 'online', 'offline'], 'the hub emitted one status event per bridge state change')
  t.same(['connecting', 'online', 'offline'].map((s) => hub.captured.matching(`bridge: ${s}`).length), [1, 1, 1], 'and logged one line per state change')
  t.notOk(hub.captured.raw.some((l) => l.includes(cloud.bridgePassword)), 'the bridge password is never logged')
})
