// When the local hub cannot take a cloud message, or the cloud refuses one of ours, is nothing acknowledged wrongly, nothing lost silently, and does the bridge recover?
import t from 'tap'
import { startLocalBridgeHub, type HubFactory, type LocalBridgeHub } from '../helpers/bridge-harness.js'
import { bridged, envelope, idOf } from '../helpers/bridge-scenarios.js'
import { subscribe, under } from '../helpers/bridge-wait.js'

function recording (): { factory: HubFactory, hubs: LocalBridgeHub[] } {
  const hubs: LocalBridgeHub[] = []
  return { hubs, factory: async (start) => { const hub = await startLocalBridgeHub(start); hubs.push(hub); return hub } }
}

t.test('a cloud message the local hub cannot commit is not acknowledged, and is delivered once the hub can', async (t) => {
  const { factory, hubs } = recording()
  const { cloud, hub, salonId, prefix } = await bridged(t, factory, 'v5', 'salon-local-fault')
  const local = hubs[0] as LocalBridgeHub
  const device = await hub.device('device-lf')
  await subscribe(device.client, `${prefix}bookings/#`)
  const app = await cloud.app('app-lf')
  local.hub.failPublishes = true
  await app.client.publishAsync(`${prefix}bookings/1`, envelope('c-1', salonId), { qos: 1 })
  const failed = await hub.waitForStatus((s) => s.lastError?.kind === 'local', 'a local failure')
  t.match(failed.lastError?.message, /local hub refused a message from the cloud/, 'the status says the local hub refused it')
  local.hub.failPublishes = false
  await app.client.publishAsync(`${prefix}bookings/2`, envelope('c-2', salonId), { qos: 1 })
  const got = await device.seen.atLeast(2, under(`${prefix}bookings/`))
  t.same(got.map(idOf), ['c-1', 'c-2'], 'the unacknowledged message is redelivered by the cloud after the reconnect, before the next one, once')
})

t.test('a message the MQTT 5 cloud refuses (PUBACK 0x87) is dropped and counted, not retried forever, and does not block the others', async (t) => {
  const { factory, hubs } = recording()
  const salonId = 'salon-refused'
  const { cloud, hub, prefix } = await bridged(t, factory, 'v5', salonId, {},
    { acls: { [salonId]: [{ acltype: 'publishClientSend', topic: `salon/${salonId}/secret/#`, allow: false }] } })
  const app = await cloud.app('app-refused')
  await subscribe(app.client, `${prefix}#`)
  const device = await hub.device('device-refused')
  await device.client.publishAsync(`${prefix}secret/1`, envelope('s-1', salonId), { qos: 1 })
  await device.client.publishAsync(`${prefix}tickets/1`, envelope('t-1', salonId), { qos: 1 })
  const got = await app.seen.atLeast(1, under(`${prefix}tickets/`))
  t.same(got.map(idOf), ['t-1'], 'the next message goes through')
  const status = await hub.waitForStatus((s) => s.outbox.messages === 0, 'outbox empty')
  t.equal(status.counts.dropped, 1, 'the refused message is counted as dropped')
  t.equal(app.seen.where(under(`${prefix}secret/`)).length, 0, 'and never reached the cloud subscriber')
  t.match((hubs[0] as LocalBridgeHub).metrics.render(), /mango_bridge_messages_dropped_total\{reason="refused"\} 1/, 'by reason in /metrics')
})
