// Does the hub keep one complete, current row in salon_devices across start, restart, heartbeats, an address change and shutdown?
import t from 'tap'
import { Metrics } from '../../src/metrics/metrics.js'
import { createRegistry, type AdvertisedPorts, type LocalAddress, type Registry } from '../../src/registry/index.js'
import { startSupabase } from '../helpers/supabase-stack.js'
import { captureLog, registryConfig, waitForStatus } from '../helpers/registry-support.js'
import { until } from '../helpers/wait.js'

const stack = await startSupabase(t.testdir())
t.teardown(() => stack.close())

const SALON = 'salon-a'
let address = '192.168.1.50'
const addressProvider = async (): Promise<LocalAddress> => ({ address, interface: 'eth0', source: 'default-route' })

function hub (overrides: Record<string, unknown> = {}, ports: AdvertisedPorts = { mqtt: 1883, ws: 8083, tls: null, http: 8080 }): { registry: Registry, metrics: Metrics, logs: ReturnType<typeof captureLog> } {
  const logs = captureLog()
  const metrics = new Metrics()
  const registry = createRegistry({
    config: registryConfig({ supabaseUrl: stack.url, supabaseKey: stack.serviceKey, heartbeatSeconds: 1, backoff: { initialMs: 50, maxMs: 200 }, ...overrides }),
    salonId: SALON,
    ports,
    version: '0.1.0',
    log: logs.log,
    metrics,
    addressProvider
  })
  return { registry, metrics, logs }
}

t.test('the first start upserts one complete hub row keyed by (salon_id, device_id)', async (t) => {
  const { registry, metrics, logs } = hub()
  t.teardown(() => registry.close())
  const seen = stack.proxy.next((r) => r.method === 'POST')
  await registry.start()
  const status = await waitForStatus(registry, (s) => s.state === 'registered')
  const request = await seen
  t.match(request.path, /^\/rest\/v1\/salon_devices\?on_conflict=salon_id%2Cdevice_id$/, 'upsert targets the unique (salon_id, device_id)')
  t.match(request.prefer ?? '', /resolution=merge-duplicates/, 'PostgREST is asked to merge on conflict')
  const rows = await stack.rows(`salon_id = '${SALON}'`)
  t.equal(rows.length, 1, 'exactly one row for the salon')
  const row = rows[0]
  t.match(row, {
    salon_id: SALON,
    device_id: `hub-${SALON}`,
    device_type: 'store-app',
    local_ip: '192.168.1.50',
    mqtt_port: 1883,
    ws_port: 8083,
    tls_port: null,
    http_port: 8080,
    is_local_hub: true,
    is_online: true,
    hub_version: '0.1.0',
    device_name: null,
    revoked_at: null
  })
  t.ok(row !== undefined && row.last_seen !== null && Math.abs(Date.parse(row.last_seen) - Date.now()) < 60_000, 'last_seen is now')
  t.equal(status.deviceId, `hub-${SALON}`, 'device id defaults to hub-{salonId}')
  t.equal(status.address, '192.168.1.50')
  t.equal(status.lastError, null)
  t.ok(status.lastSuccessAt !== null, 'last success recorded')
  t.match(metrics.render(), /^mango_registry_up 1$/m, 'metrics say registered')
  t.match(metrics.render(), /^mango_registry_writes_total\{kind="register",result="ok"\} 1$/m)
  t.notMatch(logs.text(), stack.serviceKey, 'the key is never logged')
})

t.test('a restart (new registry instance) updates the same row and keeps columns set elsewhere', async (t) => {
  const [before] = await stack.rows(`salon_id = '${SALON}'`)
  if (before === undefined) throw new Error('no row from the first test')
  await stack.pg.psql(`update public.salon_devices set device_name = 'Front desk PC' where id = '${before.id}'`)
  const { registry } = hub({}, { mqtt: 1884, ws: null, tls: 8884, http: 8081 })
  t.teardown(() => registry.close())
  await registry.start()
  await waitForStatus(registry, (s) => s.state === 'registered')
  const rows = await stack.rows(`salon_id = '${SALON}'`)
  t.equal(rows.length, 1, 'still one row for the salon')
  t.match(rows[0], { id: before.id, created_at: before.created_at, device_name: 'Front desk PC', mqtt_port: 1884, ws_port: null, tls_port: 8884, http_port: 8081, is_online: true },
    'same row, new ports, device_name not wiped')
})

t.test('each heartbeat moves last_seen forward', async (t) => {
  const { registry, metrics } = hub()
  t.teardown(() => registry.close())
  await registry.start()
  const first = await waitForStatus(registry, (s) => s.state === 'registered')
  const [row1] = await stack.rows(`salon_id = '${SALON}'`)
  await waitForStatus(registry, (s) => s.state === 'registered' && s.lastSuccessAt !== null && s.lastSuccessAt > (first.lastSuccessAt ?? ''), 5000)
  const [row2] = await stack.rows(`salon_id = '${SALON}'`)
  t.ok(row1?.last_seen !== null && row2?.last_seen !== null && Date.parse(row2?.last_seen ?? '') > Date.parse(row1?.last_seen ?? ''), 'last_seen moved forward')
  t.equal(row2?.is_online, true)
  t.ok(metrics.render().includes('mango_registry_writes_total{kind="heartbeat",result="ok"} 1'), 'the heartbeat is counted')
})

t.test('a changed LAN address is written by the next heartbeat', async (t) => {
  address = '192.168.1.50'
  const { registry, logs } = hub()
  t.teardown(() => registry.close())
  await registry.start()
  await waitForStatus(registry, (s) => s.state === 'registered')
  address = '192.168.1.77'
  const after = await waitForStatus(registry, (s) => s.state === 'registered' && s.address === '192.168.1.77', 5000)
  t.equal(after.address, '192.168.1.77')
  const [row] = await stack.rows(`salon_id = '${SALON}'`)
  t.equal(row?.local_ip, '192.168.1.77', 'local_ip follows the address')
  t.match(logs.text(), /advertised address changed/, 'the change is logged')
})

t.test('the next heartbeat puts back a row that was set offline or deleted elsewhere', async (t) => {
  address = '192.168.1.50'
  const { registry } = hub()
  t.teardown(() => registry.close())
  await registry.start()
  await waitForStatus(registry, (s) => s.state === 'registered')
  // A heartbeat already in flight when the row is changed may report its success after the
  // change: wait for the row itself (bounded), which only a later heartbeat can put back.
  const rowIs = (check: (row: { is_online: boolean } | undefined) => boolean) => async () => check((await stack.rows(`salon_id = '${SALON}'`))[0])
  await stack.pg.psql(`update public.salon_devices set is_online = false where salon_id = '${SALON}'`)
  await until(rowIs((row) => row?.is_online === true), 8000, 'a heartbeat to set is_online true again')
  t.match(await stack.rows(`salon_id = '${SALON}'`), [{ is_online: true }], 'is_online true again')
  await stack.pg.psql(`delete from public.salon_devices where salon_id = '${SALON}'`)
  await until(rowIs((row) => row !== undefined), 8000, 'a heartbeat to create the row again')
  t.match(await stack.rows(`salon_id = '${SALON}'`), [{ device_id: `hub-${SALON}`, is_online: true, is_local_hub: true, local_ip: '192.168.1.50' }], 'the row is created again')
})

t.test('ports given as a function are read before every write', async (t) => {
  let ports: AdvertisedPorts = { mqtt: 1883, ws: null, tls: null, http: 8080 }
  const logs = captureLog()
  const registry = createRegistry({
    config: registryConfig({ supabaseUrl: stack.url, supabaseKey: stack.serviceKey, heartbeatSeconds: 1, deviceId: 'ports-fn' }),
    salonId: SALON,
    ports: () => ports,
    version: '0.1.0',
    log: logs.log,
    metrics: new Metrics(),
    addressProvider
  })
  t.teardown(() => registry.close())
  await registry.start()
  await waitForStatus(registry, (s) => s.state === 'registered')
  const changedAt = new Date().toISOString()
  ports = { mqtt: 41883, ws: 48083, tls: null, http: 48080 }
  t.equal(registry.status().ports.mqtt, 41883, 'status shows the ports of now')
  // An attempt that began after the change read the new ports; wait for one to succeed.
  await waitForStatus(registry, (s) => (s.lastAttemptAt ?? '') > changedAt && s.consecutiveFailures === 0 && (s.lastSuccessAt ?? '') >= (s.lastAttemptAt ?? ''), 5000)
  const [row] = await stack.rows("device_id = 'ports-fn'")
  t.match(row, { mqtt_port: 41883, ws_port: 48083, http_port: 48080 }, 'the bound ports are advertised')
})

t.test('a graceful close marks the row offline', async (t) => {
  address = '192.168.1.50'
  const { registry, metrics } = hub()
  await registry.start()
  await waitForStatus(registry, (s) => s.state === 'registered')
  const [online] = await stack.rows(`salon_id = '${SALON}'`)
  t.equal(online?.is_online, true)
  await registry.close()
  t.equal(registry.status().state, 'closed')
  const [offline] = await stack.rows(`salon_id = '${SALON}'`)
  t.equal(offline?.is_online, false, 'is_online false after close')
  t.equal(offline?.is_local_hub, true, 'still the salon\'s hub row')
  t.ok(Date.parse(offline?.last_seen ?? '') >= Date.parse(online?.last_seen ?? ''), 'last_seen not moved back')
  t.match(metrics.render(), /^mango_registry_writes_total\{kind="offline",result="ok"\} 1$/m)
  await registry.close()
  t.equal(registry.status().state, 'closed', 'a second close is harmless')
})

t.test('closing a registry that was never started writes nothing', async (t) => {
  const before = stack.proxy.requests.length
  const { registry, metrics } = hub({ deviceId: 'never-started' })
  await registry.close()
  t.equal(registry.status().state, 'closed')
  t.equal(stack.proxy.requests.length, before, 'no request was made')
  t.same(await stack.rows("device_id = 'never-started'"), [])
  t.match(metrics.render(), /^mango_registry_up 0$/m, 'the metric series exist from the start')
})

t.test('without supabaseUrl registration is off and sends nothing', async (t) => {
  const before = stack.proxy.requests.length
  const logs = captureLog()
  const registry = createRegistry({ config: registryConfig(), salonId: SALON, ports: { mqtt: 1883, ws: null, tls: null, http: 8080 }, version: '0.1.0', log: logs.log, metrics: new Metrics() })
  await registry.start()
  registry.mirrorDevice({ salonId: SALON, deviceId: 'pad-1', deviceType: 'mango-pad', createdAt: new Date().toISOString(), revokedAt: null })
  await registry.close()
  const status = registry.status()
  t.match(status, { enabled: false, state: 'off', reason: 'registry.supabaseUrl is not set', pendingMirrors: 0, supabaseHost: null })
  t.equal(stack.proxy.requests.length, before, 'no request was made')
})

t.test('a URL without a key leaves registration off with an error, never a throw', async (t) => {
  const logs = captureLog()
  const registry = createRegistry({ config: registryConfig({ supabaseUrl: stack.url }), salonId: SALON, ports: { mqtt: 1883, ws: null, tls: null, http: 8080 }, version: '0.1.0', log: logs.log, metrics: new Metrics() })
  await registry.start()
  await registry.close()
  t.match(registry.status(), { enabled: false, state: 'off', reason: /supabaseKey/ })
  t.match(logs.text(), /"level":50.*configuration incomplete/, 'logged at error level')
})
