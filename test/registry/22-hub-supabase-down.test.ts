// Does the hub serve MQTT the same whether Supabase is down, refusing its key, failing or hanging, show the registry's trouble in /status and /metrics, and register as soon as Supabase answers again?
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { pollUntil, startRealHub, type RealHub } from '../helpers/e2e-hub.js'
import { registrySection, waitForRow } from '../helpers/e2e-registry.js'
import { subscribe } from '../helpers/bridge-wait.js'
import { startSupabase } from '../helpers/supabase-stack.js'

const stack = await startSupabase(t.testdir())
t.teardown(() => stack.close())

interface RegistryPart { state: string, lastError: { status: number | null, message: string } | null, consecutiveFailures: number }
const registryOf = async (hub: RealHub): Promise<RegistryPart> => (await hub.httpStatus()).registry as RegistryPart

/** Two devices exchange a QoS 1 message through the hub: MQTT service is unaffected. */
async function mqttWorks (t: Test, hub: RealHub, tag: string): Promise<void> {
  const a = await hub.device(`sub-${tag}`)
  const b = await hub.device(`pub-${tag}`)
  await subscribe(a.client, `salon/x/${tag}`)
  await b.client.publishAsync(`salon/x/${tag}`, `hello ${tag}`, { qos: 1 })
  const [m] = await a.seen.atLeast(1, undefined, 5000)
  t.equal(m?.payload, `hello ${tag}`, `devices talk through the hub (${tag})`)
  a.client.end(true)
  b.client.end(true)
}

t.test('Supabase down at start: the hub starts and serves MQTT, says why in /status, and registers when Supabase comes up', async (t) => {
  const salonId = 'salon-e2e-down'
  await stack.proxy.down()
  t.teardown(async () => { await stack.proxy.listen().catch(() => undefined) })
  const hub = await startRealHub(t, { salonId, dataDir: join(t.testdir(), 'data'), registry: registrySection(stack) })
  t.pass('hub.start() resolved with Supabase unreachable')
  const ready = await fetch(`http://127.0.0.1:${hub.ports.http as number}/ready`)
  t.equal(ready.status, 200, '/ready is 200: registration is not part of readiness')
  await mqttWorks(t, hub, 'down')
  const failing = await pollUntil(async () => await registryOf(hub), (r) => r.state === 'retrying' && r.consecutiveFailures >= 2, 'registry retrying')
  t.match(failing.lastError, { status: null }, 'lastError is a network error (no HTTP status)')
  t.match(await hub.metricsText(), /mango_registry_up 0/, '/metrics says the registry is not up')
  t.same(await stack.rows(`salon_id = '${salonId}'`), [], 'nothing written yet')

  await stack.proxy.listen()
  const row = await waitForRow(stack, salonId, `hub-${salonId}`, (r) => r.is_online, 'online once Supabase is up')
  t.match(row, { mqtt_port: hub.ports.mqtt, http_port: hub.ports.http, is_local_hub: true }, 'the row has the hub\'s ports')
  const recovered = await pollUntil(async () => await registryOf(hub), (r) => r.state === 'registered', 'registered')
  t.equal(recovered.consecutiveFailures, 0, 'registered, no failure pending (lastError keeps the last one, for the record)')
  const logged = hub.captured.lines.filter((l) => l.component === 'registry')
  t.equal(logged.filter((l) => l.level >= 40).length, 1, 'the outage is logged once (at warn), its repeats only at debug')
  t.equal(logged.filter((l) => l.msg === 'Supabase registration restored' && l.level === 30).length, 1, 'the recovery is logged once, at info')
})

for (const status of [401, 500] as const) {
  t.test(`Supabase answering ${status} while the hub runs: MQTT unaffected, the error in /status, registered again when it clears`, async (t) => {
    const salonId = `salon-e2e-${status}`
    const hub = await startRealHub(t, { salonId, dataDir: join(t.testdir(), 'data'), registry: registrySection(stack) })
    await waitForRow(stack, salonId, `hub-${salonId}`, (r) => r.is_online, 'online')
    stack.proxy.mode = { kind: 'status', status }
    t.teardown(() => { stack.proxy.mode = { kind: 'pass' } })
    const failing = await pollUntil(async () => await registryOf(hub), (r) => r.state === 'retrying', `a heartbeat answered ${status}`)
    t.match(failing.lastError, { status }, `lastError has HTTP status ${status}`)
    const logged = hub.captured.lines.filter((l) => l.component === 'registry' && l.level >= 40)
    t.equal(logged[0]?.level, status === 401 ? 50 : 40, status === 401 ? 'a refused key is logged as an error (the operator must act)' : 'a server error is logged as a warning')
    await mqttWorks(t, hub, `s${status}`)
    stack.proxy.mode = { kind: 'pass' }
    await pollUntil(async () => await registryOf(hub), (r) => r.state === 'registered', 'registered again')
    t.pass('registered again once Supabase answers')
    t.notOk(hub.captured.raw.some((l) => l.includes(stack.serviceKey)), 'the key is never logged')
  })
}

t.test('Supabase hanging at shutdown: hub.close() still finishes, bounded by registry.closeTimeoutMs', async (t) => {
  const salonId = 'salon-e2e-hang'
  const hub = await startRealHub(t, { salonId, dataDir: join(t.testdir(), 'data'), registry: registrySection(stack, { heartbeatSeconds: 30, closeTimeoutMs: 500 }) })
  await waitForRow(stack, salonId, `hub-${salonId}`, (r) => r.is_online, 'online')
  stack.proxy.mode = { kind: 'hang' }
  t.teardown(() => { stack.proxy.mode = { kind: 'pass' } })
  const started = Date.now()
  const failed = await hub.hub.close()
  const took = Date.now() - started
  t.same(failed, [], 'no step failed or missed the shutdown deadline')
  t.ok(took < 5000, `closed in ${took} ms (closeTimeoutMs 500, shutdown.timeoutMs 10000)`)
})
