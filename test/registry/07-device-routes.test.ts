// Can an admin enroll, list and revoke devices over HTTP (and nobody else), is bad input a clear 400, and is every enrolment mirrored to salon_devices?
import { join } from 'node:path'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { Level } from 'level'
import t, { type Test } from 'tap'
import { createDeviceAuthenticator } from '../../src/auth/device-authenticator.js'
import { LevelDeviceRegistry } from '../../src/auth/device-registry.js'
import { openAccess } from '../../src/broker/access.js'
import { deviceRoutes } from '../../src/http/routes/devices.js'
import { Metrics } from '../../src/metrics/metrics.js'
import { createRegistry, type LocalAddress, type Registry } from '../../src/registry/index.js'
import { type Db, type Sublevel } from '../../src/store/types.js'
import { startSupabase } from '../helpers/supabase-stack.js'
import { captureLog, registryConfig, waitForStatus } from '../helpers/registry-support.js'
import { startHub } from '../helpers/hub.js'
import { connect } from '../helpers/mqtt.js'

const stack = await startSupabase(t.testdir())
t.teardown(() => stack.close())

const SALON = 'salon-d'
const ADMIN = 'admin-token-0123456789abcdef'
const auth = { authorization: `Bearer ${ADMIN}` }
const addressProvider = async (): Promise<LocalAddress> => ({ address: '192.168.4.4', interface: 'eth0', source: 'default-route' })

function hubRegistry (overrides: Record<string, unknown> = {}): Registry {
  return createRegistry({
    config: registryConfig({ heartbeatSeconds: 30, backoff: { initialMs: 50, maxMs: 200 }, ...overrides }),
    salonId: SALON,
    ports: { mqtt: 1883, ws: null, tls: null, http: 8080 },
    version: '0.1.0',
    log: captureLog().log,
    metrics: new Metrics(),
    addressProvider
  })
}

/** A real LevelDB device registry in the test's directory, and the enrollment routes in front of it. */
async function setup (t: Test, options: { registry?: Registry, adminToken?: string | null } = {}): Promise<{ app: FastifyInstance, devices: LevelDeviceRegistry, db: Db, logs: ReturnType<typeof captureLog> }> {
  const db = new Level<string, Buffer>(join(t.testdir(), 'db'), { valueEncoding: 'buffer' }) as unknown as Db
  await db.open()
  t.teardown(async () => { if (db.status === 'open') await db.close() })
  const devices = new LevelDeviceRegistry(db.sublevel<string, Buffer>('devices', { valueEncoding: 'buffer' }) as unknown as Sublevel)
  const logs = captureLog()
  const app = Fastify({ loggerInstance: logs.log as FastifyBaseLogger })
  const registry = options.registry ?? hubRegistry()
  await app.register(deviceRoutes, { devices, registry, adminToken: options.adminToken === undefined ? ADMIN : options.adminToken, salonId: SALON })
  t.teardown(() => app.close())
  return { app, devices, db, logs }
}

t.test('without admin.token the enrollment routes do not exist (404)', async (t) => {
  const { app } = await setup(t, { adminToken: null })
  for (const [method, url] of [['POST', '/devices'], ['GET', '/devices'], ['DELETE', '/devices/pad-1']] as const) {
    const res = method === 'POST'
      ? await app.inject({ method, url, headers: auth, payload: { deviceType: 'mango-pad', deviceId: 'pad-1' } })
      : await app.inject({ method, url, headers: auth })
    t.equal(res.statusCode, 404, `${method} ${url} is 404`)
  }
})

t.test('a missing or wrong bearer token is 401 and nothing is created', async (t) => {
  const { app, devices, logs } = await setup(t)
  const body = { deviceType: 'mango-pad', deviceId: 'pad-1' }
  for (const headers of [{}, { authorization: 'Bearer guessed-s3cret' }, { authorization: `Bearer ${ADMIN}x` }, { authorization: `Basic ${ADMIN}` }, { authorization: ADMIN }]) {
    const res = await app.inject({ method: 'POST', url: '/devices', headers, payload: body })
    t.equal(res.statusCode, 401, `refused: ${JSON.stringify(headers)}`)
    t.equal(res.headers['www-authenticate'], 'Bearer realm="mango-broker"')
    t.same(res.json(), { error: 'missing or invalid admin bearer token' })
  }
  t.equal((await app.inject({ method: 'GET', url: '/devices' })).statusCode, 401)
  t.equal((await app.inject({ method: 'DELETE', url: '/devices/pad-1', headers: { authorization: 'Bearer nope' } })).statusCode, 401)
  t.same(await devices.list(), [], 'no device was created')
  t.notOk(logs.text().includes('guessed-s3cret'), 'the presented token is not logged')
  t.match(logs.text(), /admin request refused/)
})

t.test('POST /devices enrolls a device and returns its token once; the token admits the device', async (t) => {
  const { app, devices, logs } = await setup(t)
  const res = await app.inject({ method: 'POST', url: '/devices', headers: auth, payload: { deviceType: 'mango-pad', deviceId: 'pad-1' } })
  t.equal(res.statusCode, 201)
  t.equal(res.headers['cache-control'], 'no-store', 'the token is not cached')
  const body = res.json()
  t.match(body, { device: { salonId: SALON, deviceId: 'pad-1', deviceType: 'mango-pad', revokedAt: null }, username: 'pad-1', clientId: 'mango-pad-pad-1', supabase: 'off' })
  t.type(body.token, 'string')
  t.ok(body.token.length >= 32, 'a long token')
  const list = await app.inject({ method: 'GET', url: '/devices', headers: auth })
  t.equal(list.statusCode, 200)
  t.same(list.json(), { devices: [body.device] }, 'listed, without any token')
  t.notOk(list.body.includes(body.token))
  t.notOk(logs.text().includes(body.token), 'the token is never logged')
  const authenticator = createDeviceAuthenticator({ salonId: SALON, registry: devices })
  const identity = await authenticator.verify({ clientId: body.clientId, username: body.username, password: Buffer.from(body.token), remoteAddress: '127.0.0.1' })
  t.same(identity, { salonId: SALON, deviceId: 'pad-1', deviceType: 'mango-pad' }, 'CONNECT with username, token and client id is admitted')
})

t.test('bad enrollment input is a 400 that names the problem', async (t) => {
  const { app, devices } = await setup(t)
  const cases: Array<[unknown, RegExp]> = [
    [{ deviceType: 'mango-pad' }, /body "deviceId" is required/],
    [{ deviceType: 'tv', deviceId: 'pad-1' }, /body\.deviceType must be one of "store-app", "check-in", "mango-pad", "staff-tablet" \(received "tv"\)/],
    [{ deviceType: 'online-store', deviceId: 'web-1' }, /deviceType must be one of/],
    [{ deviceType: 'mango-pad', deviceId: 'pad/1' }, /body\.deviceId must be 1 to 64 letters, digits, "_" or "-" \(received "pad\/1"\)/],
    [{ deviceType: 'mango-pad', deviceId: 42 }, /body\.deviceId must be string \(received 42\)/],
    [{ deviceType: 'mango-pad', deviceId: 'pad-1', token: 'mine' }, /body "token" is not a known field/],
    [[], /body must be object/]
  ]
  for (const [payload, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/devices', headers: auth, payload: payload as object })
    t.equal(res.statusCode, 400, `400 for ${JSON.stringify(payload)}`)
    t.match(res.json().error, message)
  }
  const both = await app.inject({ method: 'POST', url: '/devices', headers: auth, payload: { deviceType: 'tv', deviceId: '' } })
  t.match(both.json().error, /deviceType[^;]*; body\.deviceId/, 'every problem at once')
  const notJson = await app.inject({ method: 'POST', url: '/devices', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"deviceType":' })
  t.equal(notJson.statusCode, 400, 'malformed JSON is 400')
  t.equal((await app.inject({ method: 'DELETE', url: '/devices/bad$id', headers: auth })).statusCode, 400, 'a malformed id in the path is 400')
  t.same(await devices.list(), [], 'nothing was created')
})

t.test('enrolling an existing device, or the hub\'s own id, is 409', async (t) => {
  const { app } = await setup(t)
  const payload = { deviceType: 'check-in', deviceId: 'kiosk-1' }
  t.equal((await app.inject({ method: 'POST', url: '/devices', headers: auth, payload })).statusCode, 201)
  const again = await app.inject({ method: 'POST', url: '/devices', headers: auth, payload })
  t.equal(again.statusCode, 409)
  t.match(again.json().error, /already exists/)
  const own = await app.inject({ method: 'POST', url: '/devices', headers: auth, payload: { deviceType: 'store-app', deviceId: `hub-${SALON}` } })
  t.equal(own.statusCode, 409)
})

t.test('DELETE /devices/:id revokes at once; an unknown id is 404', async (t) => {
  const { app, devices } = await setup(t)
  const enrolled = (await app.inject({ method: 'POST', url: '/devices', headers: auth, payload: { deviceType: 'staff-tablet', deviceId: 'tab-1' } })).json()
  t.equal((await app.inject({ method: 'DELETE', url: '/devices/nobody', headers: auth })).statusCode, 404)
  const res = await app.inject({ method: 'DELETE', url: '/devices/tab-1', headers: auth })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { device: { deviceId: 'tab-1', revokedAt: String }, supabase: 'off' })
  const authenticator = createDeviceAuthenticator({ salonId: SALON, registry: devices })
  const refused = await authenticator.verify({ clientId: 'staff-tablet-tab-1', username: 'tab-1', password: Buffer.from(enrolled.token), remoteAddress: '127.0.0.1' }).then(() => null, (err: unknown) => err)
  t.match(refused, { returnCode: 5 }, 'the revoked token is refused (CONNACK 5)')
})

t.test('a store fault is a 500 that says nothing internal', async (t) => {
  const { app, db, logs } = await setup(t)
  await db.close()
  const res = await app.inject({ method: 'GET', url: '/devices', headers: auth })
  t.equal(res.statusCode, 500)
  t.same(res.json(), { error: 'internal error' })
  t.match(logs.text(), /"level":50[^\n]*device enrollment request failed/, 'the fault is logged for the operator')
})

t.test('with Supabase configured, enrolments and revocations are mirrored to salon_devices', async (t) => {
  const registry = hubRegistry({ supabaseUrl: stack.url, supabaseKey: stack.serviceKey })
  t.teardown(() => registry.close())
  await registry.start()
  await waitForStatus(registry, (s) => s.state === 'registered')
  const { app } = await setup(t, { registry })
  const enrolled = await app.inject({ method: 'POST', url: '/devices', headers: auth, payload: { deviceType: 'mango-pad', deviceId: 'pad-9' } })
  t.equal(enrolled.json().supabase, 'queued')
  await waitForStatus(registry, (s) => s.pendingMirrors === 0)
  t.match(await stack.rows(`salon_id = '${SALON}' and device_id = 'pad-9'`), [{
    device_type: 'mango-pad', is_local_hub: false, is_online: false, hub_device_id: `hub-${SALON}`, revoked_at: null, local_ip: null
  }])
  t.ok(Date.parse((await stack.rows(`device_id = 'pad-9'`))[0]?.enrolled_at ?? '') > 0, 'enrolled_at written')
  await app.inject({ method: 'DELETE', url: '/devices/pad-9', headers: auth })
  await waitForStatus(registry, (s) => s.pendingMirrors === 0)
  const [revoked] = await stack.rows(`device_id = 'pad-9'`)
  t.ok(revoked?.revoked_at !== null && revoked?.revoked_at !== undefined, 'revoked_at mirrored')
  t.match(await stack.rows(`salon_id = '${SALON}' and is_local_hub`), [{ device_id: `hub-${SALON}`, is_online: true }], 'the hub row is untouched and still the only hub')
})

t.test('a mirror that fails is retried until Supabase accepts it', async (t) => {
  const registry = hubRegistry({ supabaseUrl: stack.url, supabaseKey: stack.serviceKey })
  t.teardown(() => registry.close())
  await registry.start()
  await waitForStatus(registry, (s) => s.state === 'registered')
  const { app } = await setup(t, { registry })
  stack.proxy.mode = { kind: 'status', status: 500 }
  t.teardown(() => { stack.proxy.mode = { kind: 'pass' } })
  const failures = stack.proxy.next((r) => r.status === 500)
  const res = await app.inject({ method: 'POST', url: '/devices', headers: auth, payload: { deviceType: 'check-in', deviceId: 'kiosk-7' } })
  t.equal(res.statusCode, 201, 'enrollment does not wait for Supabase')
  await failures
  t.equal(registry.status().pendingMirrors, 1, 'still pending after a failure')
  t.same(await stack.rows(`device_id = 'kiosk-7'`), [])
  stack.proxy.mode = { kind: 'pass' }
  await waitForStatus(registry, (s) => s.pendingMirrors === 0)
  t.match(await stack.rows(`device_id = 'kiosk-7'`), [{ device_type: 'check-in', is_local_hub: false }])
})

t.test('a device enrolled over HTTP connects to a running hub with its token, and is refused once revoked', async (t) => {
  const { app, devices } = await setup(t)
  const authenticator = createDeviceAuthenticator({ salonId: SALON, registry: devices })
  const { ports } = await startHub(t, { salonId: SALON }, { policy: { ...openAccess, admit: async (credentials) => await authenticator.verify(credentials) } })
  const enrolled = (await app.inject({ method: 'POST', url: '/devices', headers: auth, payload: { deviceType: 'mango-pad', deviceId: 'pad-42' } })).json()
  const client = await connect(t, ports.mqtt, { clientId: enrolled.clientId, username: enrolled.username, password: enrolled.token })
  t.ok(client.connected, 'CONNACK 0: connected with the enrolled token')
  client.end(true)
  t.equal((await app.inject({ method: 'DELETE', url: '/devices/pad-42', headers: auth })).statusCode, 200)
  const refused = await connect(t, ports.mqtt, { clientId: enrolled.clientId, username: enrolled.username, password: enrolled.token }).then(() => null, (err: unknown) => err)
  t.match(refused, { code: 5 }, 'CONNACK return code 0x05 (not authorized, MQTT 3.1.1 §3.2.2.3) after revocation')
})
