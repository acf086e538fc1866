// When the hub is closed gracefully while devices are still publishing, does every message it acknowledged during the shutdown still reach the cloud (after the next start)?
import { join } from 'node:path'
import t from 'tap'
import { startCloud } from '../helpers/bridge-cloud.js'
import { PERSISTENT, envelope, idOf } from '../helpers/bridge-scenarios.js'
import { subscribe, under } from '../helpers/bridge-wait.js'
import { startE2eHub } from '../helpers/e2e-hub.js'

t.test('messages acknowledged while hub.close() runs are forwarded, none lost', async (t) => {
  const salonId = 'salon-closing'
  const prefix = `salon/${salonId}/`
  const dir = t.testdir()
  const hubDir = join(dir, 'hub')
  const cloud = await startCloud(t, 'v5', salonId, join(dir, 'cloud'))
  const app = await cloud.app('app-closing', PERSISTENT)
  await subscribe(app.client, `${prefix}tickets/#`)
  const hub = await startE2eHub(t, { dir: hubDir, salonId, bridge: cloud.bridgeSection() })
  await hub.waitForStatus((s) => s.state === 'online', 'online')
  const device = await hub.device('device-closing')
  const disconnected = new Promise<'closed'>((resolve) => { device.client.once('close', () => { resolve('closed') }) })
  device.client.on('error', () => { /* the hub closes the connection at the end of the shutdown: expected */ })

  // A frozen cloud makes the bridge's goodbye (retained offline status, DISCONNECT) wait for its
  // deadline, so the shutdown takes long enough for the device to publish through all of it.
  cloud.mosquitto.freeze()
  t.teardown(() => { cloud.mosquitto.thaw() })
  const acked: string[] = []
  // acknowledged just before the close starts: in the outbox, not yet at the (frozen) cloud
  for (let i = 1; i <= 50; i++) {
    await device.client.publishAsync(`${prefix}tickets/${i}`, envelope(`t-${i}`, salonId), { qos: 1 })
    acked.push(`t-${i}`)
  }
  const closing = hub.hub.close()
  for (let i = 51; i <= 5000; i++) {
    const id = `t-${i}`
    const outcome = await Promise.race([device.client.publishAsync(`${prefix}tickets/${i}`, envelope(id, salonId), { qos: 1 }).then(() => 'acked' as const), disconnected])
    if (outcome !== 'acked') break
    acked.push(id)
  }
  t.same(await closing, [], 'the hub closed without a failed step')
  t.ok(acked.length >= 50, `the hub acknowledged ${acked.length} messages up to and during the close (devices are disconnected first)`)
  cloud.mosquitto.thaw()

  const again = await startE2eHub(t, { dir: hubDir, salonId, bridge: cloud.bridgeSection() })
  await again.waitForStatus((s) => s.state === 'online', 'online after the restart', 30_000)
  const late = await again.device('device-after')
  await late.client.publishAsync(`${prefix}tickets/after`, envelope('after', salonId), { qos: 1 })
  await app.seen.atLeast(1, (m) => m.topic === `${prefix}tickets/after`, 60_000)
  const arrivals = app.seen.where(under(`${prefix}tickets/`)).map(idOf)
  const got = new Set(arrivals)
  const missing = acked.filter((id) => !got.has(id))
  t.equal(missing.length, 0, `every message acknowledged during the shutdown reached the cloud (${acked.length - missing.length} of ${acked.length}; first missing: ${missing.slice(0, 5).join(', ')})`)
  const ackedSet = new Set(acked)
  // At least once: what was in flight to the frozen cloud may arrive again after the restart.
  const firsts = arrivals.filter((id, i) => ackedSet.has(id) && arrivals.indexOf(id) === i)
  t.same(firsts, acked, 'their first arrivals are in publish order')
})
