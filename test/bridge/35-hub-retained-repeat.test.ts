// When the cloud sends the hub a retained value it already holds (a replay after the cloud lost the hub's session, or an app publishing an unchanged value), do devices see it only once, while a changed value still reaches them?
import { join } from 'node:path'
import t from 'tap'
import { startCloud } from '../helpers/bridge-cloud.js'
import { subscribe } from '../helpers/bridge-wait.js'
import { e2eHubFactory } from '../helpers/e2e-hub.js'

t.test('an identical retained value from the cloud is dropped as a duplicate; a new value is delivered', async (t) => {
  const salonId = 'salon-repeat'
  const prefix = `salon/${salonId}/`
  const dir = t.testdir()
  const cloud = await startCloud(t, 'v5', salonId, join(dir, 'cloud'))
  const hub = await e2eHubFactory(t).factory({ dir: join(dir, 'hub'), salonId, bridge: cloud.bridgeSection() })
  t.teardown(async () => { await hub.close() })
  await hub.waitForStatus((s) => s.state === 'online', 'online')
  const device = await hub.device('device-repeat')
  await subscribe(device.client, `${prefix}settings/#`)
  const app = await cloud.app('app-repeat')
  // payloads without an envelope id: the envelope dedupe cannot recognise them
  await app.client.publishAsync(`${prefix}settings/hours`, 'open 9-18', { qos: 1, retain: true })
  await device.seen.atLeast(1)
  await app.client.publishAsync(`${prefix}settings/hours`, 'open 9-18', { qos: 1, retain: true })
  await app.client.publishAsync(`${prefix}settings/hours`, 'open 10-18', { qos: 1, retain: true })
  await app.client.publishAsync(`${prefix}settings/sentinel`, 'sentinel', { qos: 1 })
  const got = await device.seen.atLeast(3)
  t.same(got.map((m) => m.payload.toString()), ['open 9-18', 'open 10-18', 'sentinel'], 'the repeated value once, the changed value and the sentinel in order')
  const status = await hub.status()
  t.equal(status.counts.duplicates, 1, 'the repeat is counted as a duplicate')
  const late = await hub.device('device-late')
  await subscribe(late.client, `${prefix}settings/hours`)
  const [kept] = await late.seen.atLeast(1)
  t.equal(kept?.payload.toString(), 'open 10-18', 'the hub retains the latest value')
})
