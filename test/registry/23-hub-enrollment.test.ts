// In a hub in auth.mode devices, does a device enrolled over the hub's own POST /devices connect over MQTT with its token (the real auth, ACL and envelope path), get mirrored to salon_devices, and lose its live connection and its access the moment DELETE /devices/:id revokes it?
import { join } from 'node:path'
import t from 'tap'
import { connectAs, enroll, envelopeFrom, hubRequest as http } from '../helpers/e2e-devices.js'
import { startRealHub } from '../helpers/e2e-hub.js'
import { ADMIN_TOKEN, registrySection, rowOf, waitForRow } from '../helpers/e2e-registry.js'
import { subscribe } from '../helpers/bridge-wait.js'
import { startSupabase } from '../helpers/supabase-stack.js'

const stack = await startSupabase(t.testdir())
t.teardown(() => stack.close())

const SALON = 'salon-e2e-enroll'
const HUB_ID = `hub-${SALON}`

function hubConfig (dataDir: string): Record<string, unknown> {
  return { salonId: SALON, dataDir, auth: { mode: 'devices' }, admin: { token: ADMIN_TOKEN }, registry: registrySection(stack, { heartbeatSeconds: 30 }) }
}

t.test('enrol over HTTP, talk over MQTT with the token, mirrored to salon_devices; revoke: disconnected at once and refused', async (t) => {
  const dataDir = join(t.testdir(), 'data')
  const hub = await startRealHub(t, hubConfig(dataDir))
  await waitForRow(stack, SALON, HUB_ID, (r) => r.is_online, 'hub registered')

  const front = await enroll(hub, 'store-app', 'front-1')
  const pad = await enroll(hub, 'mango-pad', 'pad-1')
  t.match(pad, { username: 'pad-1', clientId: 'mango-pad-pad-1', supabase: 'queued', device: { deviceId: 'pad-1', deviceType: 'mango-pad' } }, 'POST /devices answers 201 with the token and how to connect')

  const frontClient = await connectAs(t, hub, front)
  const padClient = await connectAs(t, hub, pad)
  t.pass('both devices are admitted with their tokens (CONNACK 0) in auth.mode devices')
  await subscribe(frontClient, `salon/${SALON}/pad/#`)
  const got = new Promise<string>((resolve) => { frontClient.once('message', (_topic, payload) => { resolve(payload.toString('utf8')) }) })
  await padClient.publishAsync(`salon/${SALON}/pad/signature`, envelopeFrom(pad, 'sig-1', { ticketId: 't-1' }), { qos: 1 })
  t.equal(JSON.parse(await got).id, 'sig-1', 'the pad\'s signature (envelope source = its identity) reaches the store app: ACL and envelope check passed')

  const listed = await http(hub, 'GET', '/devices')
  t.same((listed.json.devices as Array<{ deviceId: string }>).map((d) => d.deviceId).sort(), ['front-1', 'pad-1'], 'GET /devices lists both')
  t.notOk(JSON.stringify(listed.json).includes(pad.token), 'without their tokens')
  t.equal((await http(hub, 'GET', '/devices', undefined, { authorization: 'Bearer wrong-token-wrong-token' })).status, 401, 'a wrong admin token is 401 on the hub')

  const mirrored = await waitForRow(stack, SALON, 'pad-1', () => true, 'pad mirrored')
  t.match(mirrored, { device_type: 'mango-pad', is_local_hub: false, is_online: false, hub_device_id: HUB_ID, revoked_at: null }, 'the enrolled pad is mirrored to salon_devices, not as a hub')

  const closed = new Promise<void>((resolve) => { padClient.once('close', () => { resolve() }) })
  const revoked = await http(hub, 'DELETE', '/devices/pad-1')
  t.equal(revoked.status, 200, 'DELETE /devices/pad-1 is 200')
  await Promise.race([closed, new Promise((_resolve, reject) => setTimeout(() => { reject(new Error('the revoked pad was not disconnected within 5 s')) }, 5000))])
  t.pass('the pad\'s live connection is closed by the hub')
  const refused = await connectAs(t, hub, pad).then(() => null, (err: unknown) => err)
  t.match(refused, { code: 5 }, 'reconnecting with the revoked token gets CONNACK 0x05 not authorized (MQTT 3.1.1 §3.2.2.3)')
  t.ok(frontClient.connected, 'the other device stays connected')
  const revokedRow = await waitForRow(stack, SALON, 'pad-1', (r) => r.revoked_at !== null, 'revocation mirrored')
  t.equal(revokedRow.is_online, false, 'the revoked row is not online')
  t.match(await rowOf(stack, SALON, HUB_ID), { is_local_hub: true, is_online: true }, 'the hub row is untouched')
  t.notOk(hub.captured.raw.some((l) => l.includes(pad.token) || l.includes(front.token) || l.includes(ADMIN_TOKEN)), 'no device token and no admin token is logged')
})

t.test('every device of the hub\'s registry is mirrored again when the hub starts', async (t) => {
  const dataDir = join(t.testdir(), 'data')
  const first = await startRealHub(t, hubConfig(dataDir))
  await enroll(first, 'check-in', 'kiosk-1')
  await enroll(first, 'staff-tablet', 'tab-1')
  await http(first, 'DELETE', '/devices/tab-1')
  await waitForRow(stack, SALON, 'tab-1', (r) => r.revoked_at !== null, 'revocation mirrored')
  await first.close()
  await stack.pg.psql(`delete from public.salon_devices where salon_id = '${SALON}' and device_id in ('kiosk-1', 'tab-1')`)
  t.equal(await rowOf(stack, SALON, 'kiosk-1'), undefined, 'rows deleted on the Supabase side while the hub was stopped')

  await startRealHub(t, hubConfig(dataDir))
  const kiosk = await waitForRow(stack, SALON, 'kiosk-1', () => true, 'kiosk mirrored at start')
  const tablet = await waitForRow(stack, SALON, 'tab-1', () => true, 'tablet mirrored at start')
  t.match(kiosk, { device_type: 'check-in', is_local_hub: false, revoked_at: null }, 'the enrolled kiosk is back')
  t.ok(tablet.revoked_at !== null, 'the revoked tablet is back, still revoked')
})

t.test('without admin.token the hub has no enrollment routes (404), and /status stays public', async (t) => {
  const hub = await startRealHub(t, { salonId: SALON, dataDir: join(t.testdir(), 'data'), auth: { mode: 'devices' } })
  t.equal((await http(hub, 'POST', '/devices', { deviceType: 'mango-pad', deviceId: 'pad-2' })).status, 404, 'POST /devices is 404')
  t.equal((await http(hub, 'GET', '/devices')).status, 404, 'GET /devices is 404')
  t.match(await hub.httpStatus(), { registry: { state: 'off' } }, '/status answers without a token; registration off without supabaseUrl')
})
