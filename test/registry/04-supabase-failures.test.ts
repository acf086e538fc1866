// When Supabase is down, refuses the key, fails or hangs, does the registry retry with backoff, show it, never throw, and still register once Supabase is back?
import t from 'tap'
import { Metrics } from '../../src/metrics/metrics.js'
import { createRegistry, type LocalAddress, type Registry } from '../../src/registry/index.js'
import { startSupabase } from '../helpers/supabase-stack.js'
import { captureLog, registryConfig, waitForStatus } from '../helpers/registry-support.js'

const stack = await startSupabase(t.testdir())
t.teardown(() => stack.close())

const addressProvider = async (): Promise<LocalAddress> => ({ address: '192.168.1.60', interface: 'eth0', source: 'default-route' })
const captured: Array<ReturnType<typeof captureLog>> = []

function hub (salonId: string, overrides: Record<string, unknown> = {}): { registry: Registry, metrics: Metrics, logs: ReturnType<typeof captureLog> } {
  const logs = captureLog()
  const metrics = new Metrics()
  const registry = createRegistry({
    config: registryConfig({ supabaseUrl: stack.url, supabaseKey: stack.serviceKey, heartbeatSeconds: 30, backoff: { initialMs: 50, maxMs: 200 }, ...overrides }),
    salonId,
    ports: { mqtt: 1883, ws: 8083, tls: null, http: 8080 },
    version: '0.1.0',
    log: logs.log,
    metrics,
    addressProvider
  })
  captured.push(logs)
  return { registry, metrics, logs }
}

t.afterEach(() => { stack.proxy.mode = { kind: 'pass' } })

t.test('Supabase down at start: the registry retries, shows it, and registers once Supabase is up', async (t) => {
  await stack.proxy.down()
  const { registry, metrics } = hub('salon-down')
  t.teardown(() => registry.close())
  await registry.start()
  const failing = await waitForStatus(registry, (s) => s.state === 'retrying' && s.consecutiveFailures >= 2)
  t.equal(failing.lastError?.status, null, 'a network error has no HTTP status')
  t.match(failing.lastError?.message, /network error/)
  t.equal(failing.lastSuccessAt, null)
  t.ok(failing.nextAttemptAt !== null, 'the next attempt is scheduled')
  t.match(metrics.render(), /^mango_registry_up 0$/m)
  t.match(metrics.render(), /^mango_registry_writes_total\{kind="register",result="error"\} [2-9]\d*$/m)
  t.same(await stack.rows("salon_id = 'salon-down'"), [], 'nothing written yet')
  await stack.proxy.listen()
  const registered = await waitForStatus(registry, (s) => s.state === 'registered')
  t.equal(registered.consecutiveFailures, 0)
  t.ok(registered.lastSuccessAt !== null)
  t.equal(registered.lastError?.status, null, 'the last error stays visible after recovery')
  const rows = await stack.rows("salon_id = 'salon-down'")
  t.match(rows, [{ device_id: 'hub-salon-down', is_online: true, is_local_hub: true, local_ip: '192.168.1.60' }])
  t.match(metrics.render(), /^mango_registry_consecutive_failures 0$/m)
})

t.test('a 401 from Supabase is retried, logged as an error and visible in status; registration completes when it clears', async (t) => {
  stack.proxy.mode = { kind: 'status', status: 401 }
  const { registry, logs } = hub('salon-401')
  t.teardown(() => registry.close())
  await registry.start()
  const failing = await waitForStatus(registry, (s) => s.state === 'retrying' && s.consecutiveFailures >= 3)
  t.equal(failing.lastError?.status, 401)
  t.match(failing.lastError?.message, /^HTTP 401: JWSError/)
  t.match(logs.text(), /"level":50[^\n]*refused the hub's key/, 'the operator is told at error level')
  t.equal(logs.lines.filter((l) => l.includes('refused the hub')).length, 1, 'repeats of the same failure are not logged again at error level')
  stack.proxy.mode = { kind: 'pass' }
  await waitForStatus(registry, (s) => s.state === 'registered')
  t.match(await stack.rows("salon_id = 'salon-401'"), [{ is_online: true }])
  t.match(logs.text(), /Supabase registration restored/)
})

t.test('a key that PostgREST itself rejects (wrong signature) keeps the registry retrying without throwing', async (t) => {
  const { registry } = hub('salon-badkey', { supabaseKey: `${stack.serviceKey.slice(0, -4)}AAAA` })
  t.teardown(() => registry.close())
  await registry.start()
  const failing = await waitForStatus(registry, (s) => s.state === 'retrying' && s.consecutiveFailures >= 2)
  t.equal(failing.lastError?.status, 401, 'PostgREST answers 401')
  t.same(await stack.rows("salon_id = 'salon-badkey'"), [])
})

t.test('a 500 from Supabase is retried with backoff and logged as a warning', async (t) => {
  stack.proxy.mode = { kind: 'status', status: 500 }
  const { registry, logs } = hub('salon-500')
  t.teardown(() => registry.close())
  const failures: number[] = []
  stack.proxy.on('request', function onRequest (r) {
    if (r.status === 500) failures.push(Date.now())
    if (failures.length >= 4) stack.proxy.off('request', onRequest)
  })
  await registry.start()
  const failing = await waitForStatus(registry, (s) => s.state === 'retrying' && s.consecutiveFailures >= 4)
  t.equal(failing.lastError?.status, 500)
  t.match(logs.text(), /"level":40[^\n]*Supabase registration failed; retrying/)
  const gaps = failures.slice(1).map((at, i) => at - (failures[i] ?? at))
  t.ok(gaps.every((g) => g >= 30), `retries are spaced by the backoff (${gaps.join(', ')} ms)`)
  stack.proxy.mode = { kind: 'pass' }
  await waitForStatus(registry, (s) => s.state === 'registered')
  t.match(await stack.rows("salon_id = 'salon-500'"), [{ is_online: true }])
})

t.test('a request that hangs times out, and close is bounded by closeTimeoutMs', async (t) => {
  stack.proxy.mode = { kind: 'hang' }
  const { registry } = hub('salon-hang', { requestTimeoutMs: 300, closeTimeoutMs: 500 })
  await registry.start()
  const failing = await waitForStatus(registry, (s) => s.state === 'retrying')
  t.match(failing.lastError?.message, /abort/i, 'the timeout is reported')
  const started = Date.now()
  await registry.close()
  const took = Date.now() - started
  t.ok(took < 2000, `close returned in ${took} ms although Supabase hangs`)
  t.equal(registry.status().state, 'closed')
})

t.test('a connection reset is a network error, retried', async (t) => {
  stack.proxy.mode = { kind: 'reset' }
  const { registry } = hub('salon-reset')
  t.teardown(() => registry.close())
  await registry.start()
  const failing = await waitForStatus(registry, (s) => s.state === 'retrying' && s.consecutiveFailures >= 2)
  t.equal(failing.lastError?.status, null)
  t.match(failing.lastError?.message, /network error/)
  stack.proxy.mode = { kind: 'pass' }
  await waitForStatus(registry, (s) => s.state === 'registered')
})

t.test('no key ever reaches the log', async (t) => {
  const lines = captured.flatMap((c) => c.lines)
  const text = lines.join('\n')
  t.ok(lines.length > 10, `the scenarios above logged (${lines.length} lines)`)
  t.notOk(text.includes(stack.serviceKey), 'service key absent')
  t.notOk(text.includes(stack.serviceKey.split('.')[2] ?? 'unreachable'), 'not even the signature part')
})
