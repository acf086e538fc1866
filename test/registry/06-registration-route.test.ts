// Does GET /registration tell what the hub registered in Supabase and how the last heartbeat went, and say so when registration is off?
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import { registrationRoutes } from '../../src/http/routes/registration.js'
import { buildHttp } from '../../src/http/server.js'
import { Metrics } from '../../src/metrics/metrics.js'
import { createRegistry, type LocalAddress, type Registry } from '../../src/registry/index.js'
import { startSupabase } from '../helpers/supabase-stack.js'
import { captureLog, registryConfig, waitForStatus } from '../helpers/registry-support.js'

const stack = await startSupabase(t.testdir())
t.teardown(() => stack.close())

const addressProvider = async (): Promise<LocalAddress> => ({ address: '192.168.3.3', interface: 'eth0', source: 'default-route' })

function hub (overrides: Record<string, unknown>): Registry {
  return createRegistry({
    config: registryConfig({ heartbeatSeconds: 30, backoff: { initialMs: 50, maxMs: 200 }, ...overrides }),
    salonId: 'salon-r',
    ports: { mqtt: 1883, ws: 8083, tls: null, http: 8080 },
    version: '0.1.0',
    log: captureLog().log,
    metrics: new Metrics(),
    addressProvider
  })
}

async function app (registry: Registry): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(registrationRoutes, { registry })
  return app
}

t.test('with registration off, GET /registration says so and why', async (t) => {
  const registry = hub({})
  await registry.start()
  const res = await (await app(registry)).inject({ method: 'GET', url: '/registration' })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { enabled: false, state: 'off', reason: 'registry.supabaseUrl is not set', supabaseHost: null, lastHeartbeat: null, lastError: null, salonId: 'salon-r', deviceId: 'hub-salon-r' })
})

t.test('once registered, GET /registration shows salon, device id, advertised address and ports, and a good last heartbeat', async (t) => {
  const registry = hub({ supabaseUrl: stack.url, supabaseKey: stack.serviceKey })
  t.teardown(() => registry.close())
  await registry.start()
  await waitForStatus(registry, (s) => s.state === 'registered')
  const res = await (await app(registry)).inject({ method: 'GET', url: '/registration' })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.match(body, {
    enabled: true,
    state: 'registered',
    reason: null,
    salonId: 'salon-r',
    deviceId: 'hub-salon-r',
    table: 'salon_devices',
    supabaseHost: new URL(stack.url).host,
    advertised: { address: '192.168.3.3', addressSource: 'default-route', mqttPort: 1883, wsPort: 8083, tlsPort: null, httpPort: 8080 },
    version: '0.1.0',
    heartbeatSeconds: 30,
    lastHeartbeat: { ok: true },
    lastError: null,
    consecutiveFailures: 0,
    pendingMirrors: 0
  })
  t.type(body.lastSuccessAt, 'string')
  t.notOk(res.body.includes(stack.serviceKey), 'the key is not in the document')
})

t.test('while Supabase fails, GET /registration shows the failed heartbeat and the error', async (t) => {
  stack.proxy.mode = { kind: 'status', status: 500 }
  t.teardown(() => { stack.proxy.mode = { kind: 'pass' } })
  const registry = hub({ supabaseUrl: stack.url, supabaseKey: stack.serviceKey })
  t.teardown(() => registry.close())
  await registry.start()
  await waitForStatus(registry, (s) => s.state === 'retrying')
  const res = await (await app(registry)).inject({ method: 'GET', url: '/registration' })
  t.match(res.json(), { enabled: true, state: 'retrying', lastHeartbeat: { ok: false }, lastError: { status: 500, message: 'HTTP 500: upstream failure' }, lastSuccessAt: null })
  t.type(res.json().nextAttemptAt, 'string')
})

t.test('the route plugs into the hub\'s HTTP server', async (t) => {
  const registry = hub({})
  const metrics = new Metrics()
  const server = await buildHttp({
    health: () => ({ status: 'ok' }),
    ready: () => ({ ready: true, reasons: [] }),
    status: () => ({}),
    metrics
  }, captureLog().log, [{ plugin: registrationRoutes, options: { registry } }])
  t.teardown(() => server.close())
  const res = await server.inject({ method: 'GET', url: '/registration' })
  t.equal(res.statusCode, 200)
  t.equal(res.json().enabled, false)
})
