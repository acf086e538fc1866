// Are the registry's pure parts right: backoff, the rows it writes, when it is on, its config sections, and its retry queue?
import t from 'tap'
import { backoffDelay } from '../../src/registry/backoff.js'
import { registrationPlan } from '../../src/registry/plan.js'
import { RetryQueue } from '../../src/registry/retry-queue.js'
import { deviceRow, hubRow } from '../../src/registry/rows.js'
import { adminConfig, ajv, registryConfig } from '../helpers/registry-support.js'
import { adminSection } from '../../src/config/sections/admin.js'
import { registrySection } from '../../src/config/sections/registry.js'

const backoff = { initialMs: 1000, maxMs: 60000, multiplier: 2, jitter: 0.2 }

t.test('backoff grows exponentially from initialMs and stops at maxMs', async (t) => {
  const mid = (): number => 0.5
  t.same([1, 2, 3, 4, 6, 7, 8, 20].map((n) => backoffDelay(n, backoff, mid)), [1000, 2000, 4000, 8000, 32000, 60000, 60000, 60000])
})

t.test('jitter spreads a delay by at most ±jitter and never past maxMs', async (t) => {
  t.equal(backoffDelay(1, backoff, () => 0), 800)
  t.equal(backoffDelay(1, backoff, () => 0.999999), 1200)
  t.equal(backoffDelay(10, backoff, () => 0.999999), 60000, 'capped after jitter')
  t.equal(backoffDelay(0, backoff, () => 0.5), 1000, 'a count below 1 is treated as the first failure')
  t.equal(backoffDelay(1, { ...backoff, jitter: 0 }, Math.random), 1000, 'no jitter: exact')
})

t.test('a hub row carries every column the hub owns and nothing else', async (t) => {
  const row = hubRow({ salonId: 's1', deviceId: 'hub-s1', address: '192.168.1.2', ports: { mqtt: 1883, ws: null, tls: 8883, http: 8080 }, version: '1.0.0', online: true, now: new Date('2025-01-04T10:30:00.000Z') })
  t.same(row, {
    salon_id: 's1', device_id: 'hub-s1', device_type: 'store-app', local_ip: '192.168.1.2', mqtt_port: 1883, ws_port: null, tls_port: 8883, http_port: 8080,
    is_local_hub: true, is_online: true, last_seen: '2025-01-04T10:30:00.000Z', hub_version: '1.0.0'
  })
})

t.test('a device row is never online once revoked, and never claims to be the hub', async (t) => {
  const record = { salonId: 's1', deviceId: 'pad-1', deviceType: 'mango-pad' as const, createdAt: '2025-01-01T00:00:00.000Z', revokedAt: null }
  t.same(deviceRow(record, { hubDeviceId: 'hub-s1', online: true }), {
    salon_id: 's1', device_id: 'pad-1', device_type: 'mango-pad', is_local_hub: false, is_online: true, hub_device_id: 'hub-s1', enrolled_at: '2025-01-01T00:00:00.000Z', revoked_at: null
  })
  const revoked = { ...record, revokedAt: '2025-01-02T00:00:00.000Z' }
  t.match(deviceRow(revoked, { hubDeviceId: 'hub-s1', online: true }), { is_online: false, revoked_at: '2025-01-02T00:00:00.000Z', is_local_hub: false })
})

t.test('registration is on only with a URL, a key and a salon id', async (t) => {
  t.match(registrationPlan(registryConfig(), 's1'), { enabled: false, severity: 'info', deviceId: 'hub-s1' })
  t.match(registrationPlan(registryConfig({ supabaseUrl: 'https://x.supabase.co' }), 's1'), { enabled: false, severity: 'error', reason: /supabaseKey/ })
  t.match(registrationPlan(registryConfig({ supabaseUrl: 'https://x.supabase.co', supabaseKey: 'k' }), null), { enabled: false, severity: 'error', reason: /salonId/ })
  t.match(registrationPlan(registryConfig({ supabaseUrl: 'https://x.supabase.co', supabaseKey: 'k', deviceId: 'front-pc' }), 's1'), { enabled: true, host: 'x.supabase.co', deviceId: 'front-pc', salonId: 's1' })
})

t.test('the registry section fills every default', async (t) => {
  t.same(registryConfig(), {
    supabaseUrl: null, supabaseKey: null, deviceId: null, heartbeatSeconds: 30, advertiseAddress: null, table: 'salon_devices',
    requestTimeoutMs: 10000, closeTimeoutMs: 3000, backoff: { initialMs: 1000, maxMs: 60000, multiplier: 2, jitter: 0.2 }
  })
  t.same(adminConfig(), { token: null })
})

t.test('every key of both sections has a default and a description', async (t) => {
  const walk = (node: { properties?: Record<string, unknown> }, path: string): void => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const c = child as { default?: unknown, description?: unknown, properties?: Record<string, unknown> }
      t.ok('default' in c, `${path}.${key} has a default`)
      t.type(c.description, 'string', `${path}.${key} has a description`)
      if (c.properties !== undefined) walk(c, `${path}.${key}`)
    }
  }
  walk(registrySection, 'registry')
  walk(adminSection, 'admin')
})

t.test('bad registry and admin values are rejected, all at once', async (t) => {
  const check = ajv.compile({ type: 'object', additionalProperties: false, properties: { registry: registrySection, admin: adminSection } })
  const ok = check({ registry: { supabaseUrl: 'ftp://x', heartbeatSeconds: 0, table: 'drop table;', advertiseAddress: 'bad address', unknown: 1, backoff: { jitter: 2 } }, admin: { token: 'short' } })
  t.equal(ok, false)
  const paths = (check.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`)
  for (const expected of ['/registry/supabaseUrl pattern', '/registry/heartbeatSeconds minimum', '/registry/table pattern', '/registry/advertiseAddress pattern', '/registry additionalProperties', '/registry/backoff/jitter maximum', '/admin/token minLength']) {
    t.ok(paths.includes(expected), `reports ${expected}`)
  }
})

t.test('the retry queue retries a failing item until it succeeds, and a newer put for a key replaces the pending one', async (t) => {
  // The queue's timers are unref'd (a hub is kept alive by its listeners); here, this interval does that.
  const keepAlive = setInterval(() => {}, 1000)
  t.teardown(() => clearInterval(keepAlive))
  const sent: string[] = []
  let failuresLeft = 2
  const done = new Promise<void>((resolve) => {
    const queue = new RetryQueue<string>({
      send: async (item) => {
        sent.push(item)
        if (item === 'a2' && failuresLeft-- > 0) throw new Error('down')
      },
      delay: () => 5,
      onResult: () => { if (queue.size === 0) resolve() }
    })
    queue.put('a', 'a1')
    queue.put('a', 'a2')
    queue.put('b', 'b1')
  })
  await done
  t.same(sent, ['a1', 'a2', 'b1', 'a2', 'a2'], 'a2 replaced a1 once a1 was in flight, failed twice, was moved behind b1, then succeeded')
})

t.test('a stopped retry queue sends nothing more until flushed', async (t) => {
  const sent: string[] = []
  let failed: () => void = () => {}
  const firstFailure = new Promise<void>((resolve) => { failed = resolve })
  const queue = new RetryQueue<string>({ send: async (item) => { sent.push(item); throw new Error('down') }, delay: () => 60_000, onResult: () => failed() })
  queue.put('a', 'a1')
  await firstFailure
  queue.stop()
  queue.put('b', 'b1')
  t.equal(queue.size, 1, 'a put after stop is ignored')
  const controller = new AbortController()
  await queue.flush(controller.signal)
  t.same(sent, ['a1', 'a1'], 'flush made one more attempt')
})
