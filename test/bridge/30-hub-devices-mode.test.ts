// In the default auth.mode devices, with devices enrolled over the hub's POST /devices, does the bridge forward what the hub accepted (and nothing it refused), and do cloud messages reach the devices subscribed to them?
import { join } from 'node:path'
import t from 'tap'
import { startCloud } from '../helpers/bridge-cloud.js'
import { idOf } from '../helpers/bridge-scenarios.js'
import { collect, subscribe, under } from '../helpers/bridge-wait.js'
import { connectAs, enroll, envelopeFrom } from '../helpers/e2e-devices.js'
import { startRealHub } from '../helpers/e2e-hub.js'
import { ADMIN_TOKEN } from '../helpers/e2e-registry.js'

t.test('enrolled devices talk to the cloud through the bridge; refused publishes are not forwarded', async (t) => {
  const salonId = 'salon-e2e-devices'
  const prefix = `salon/${salonId}/`
  const dir = t.testdir()
  const cloud = await startCloud(t, 'v5', salonId, join(dir, 'cloud'))
  const app = await cloud.app('app-devices')
  await subscribe(app.client, `${prefix}#`)
  const hub = await startRealHub(t, {
    salonId,
    dataDir: join(dir, 'hub'),
    auth: { mode: 'devices' },
    admin: { token: ADMIN_TOKEN },
    bridge: cloud.bridgeSection()
  })
  const bridgeState = async (): Promise<string> => ((await hub.httpStatus()).bridge as { state: string }).state
  const deadline = Date.now() + 15_000
  while (await bridgeState() !== 'online') {
    if (Date.now() > deadline) throw new Error('bridge not online within 15 s')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }

  const front = await enroll(hub, 'store-app', 'front-1')
  const pad = await enroll(hub, 'mango-pad', 'pad-1')
  const frontClient = await connectAs(t, hub, front)
  const frontSeen = collect(frontClient)
  const padClient = await connectAs(t, hub, pad)
  const padSeen = collect(padClient)
  await subscribe(frontClient, `${prefix}#`)
  await subscribe(padClient, `${prefix}receipts/ready`)

  await padClient.publishAsync(`${prefix}pad/signature`, envelopeFrom(front, 'forged-1'), { qos: 1 })
  await padClient.publishAsync(`${prefix}tickets/created`, envelopeFrom(pad, 'outside-acl-1'), { qos: 1 })
  await padClient.publishAsync(`${prefix}pad/signature`, envelopeFrom(pad, 'sig-1', { ticketId: 't-1' }), { qos: 1 })
  const [up] = await app.seen.atLeast(1, under(`${prefix}pad/`))
  t.equal(up === undefined ? null : idOf(up), 'sig-1', 'the pad\'s signature reaches the cloud')
  const upIds = app.seen.where((m) => !m.topic.endsWith('/hub/status')).map(idOf)
  t.same(upIds, ['sig-1'], 'a publish with a forged envelope source and one outside the pad\'s ACL were acknowledged but never reached the cloud (published before the signature)')
  t.match(await hub.metricsText(), /mango_publish_forbidden_total 2/, 'the hub counted the two refused publishes')

  await app.client.publishAsync(`${prefix}bookings/created`, JSON.stringify({ id: 'booking-1' }), { qos: 1 })
  await app.client.publishAsync(`${prefix}receipts/ready`, JSON.stringify({ id: 'receipt-1' }), { qos: 1 })
  const [receipt] = await padSeen.atLeast(1, under(`${prefix}receipts/`))
  t.equal(receipt === undefined ? null : idOf(receipt), 'receipt-1', 'a cloud receipt reaches the pad')
  const atFront = await frontSeen.atLeast(2, (m) => m.topic.startsWith(`${prefix}bookings/`) || m.topic.startsWith(`${prefix}receipts/`))
  t.same(atFront.map(idOf), ['booking-1', 'receipt-1'], 'both cloud messages reach the store app, in order')
  t.match((await hub.httpStatus()).bridge, { counts: { out: 1, in: 2 } }, '/status counts one message out and two in')
})
