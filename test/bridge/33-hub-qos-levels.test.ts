// What QoS does a message keep across the hub's bridge: are device publishes at QoS 0, 1 and 2 forwarded once each, in publish order, at QoS 0, 1 and 1 (no QoS 2 on the cloud link), and does a cloud QoS 2 message reach a device once?
import t from 'tap'
import { e2eHubFactory } from '../helpers/e2e-hub.js'
import { bridged, envelope, idOf } from '../helpers/bridge-scenarios.js'
import { subscribe, under } from '../helpers/bridge-wait.js'

t.test('device QoS 0/1/2 → cloud QoS 0/1/1, in order; cloud QoS 2 → device once at QoS 1', async (t) => {
  const { cloud, hub, salonId, prefix } = await bridged(t, e2eHubFactory(t).factory, 'v5', 'salon-qos')
  const app = await cloud.app('app-qos')
  await app.client.subscribeAsync(`${prefix}tickets/#`, { qos: 2 })
  const device = await hub.device('device-qos')
  await device.client.subscribeAsync(`${prefix}bookings/#`, { qos: 2 })

  await device.client.publishAsync(`${prefix}tickets/a`, envelope('q0', salonId), { qos: 0 })
  await device.client.publishAsync(`${prefix}tickets/b`, envelope('q1', salonId), { qos: 1 })
  await device.client.publishAsync(`${prefix}tickets/c`, envelope('q2', salonId), { qos: 2 })
  await device.client.publishAsync(`${prefix}tickets/d`, envelope('sentinel', salonId), { qos: 1 })
  const up = await app.seen.atLeast(4, under(`${prefix}tickets/`))
  t.same(up.map((m) => [idOf(m), m.qos]), [['q0', 0], ['q1', 1], ['q2', 1], ['sentinel', 1]],
    'each arrives once, in publish order; QoS 2 is forwarded at QoS 1 (duplicates are removed by envelope id instead)')

  await app.client.publishAsync(`${prefix}bookings/x`, envelope('c2', salonId), { qos: 2 })
  await app.client.publishAsync(`${prefix}bookings/y`, envelope('c-sentinel', salonId), { qos: 1 })
  const down = await device.seen.atLeast(2, under(`${prefix}bookings/`))
  t.same(down.map((m) => [idOf(m), m.qos]), [['c2', 1], ['c-sentinel', 1]], 'a cloud QoS 2 message reaches the device once, at the bridge subscription\'s QoS 1')
})
