// Do the row-level-security policies of the shipped salon_devices.sql let the right keys, and only those, write and read the rows?
import { createClient } from '@supabase/supabase-js'
import t from 'tap'
import WebSocket from 'ws'
import { Metrics } from '../../src/metrics/metrics.js'
import { createRegistry, type LocalAddress, type Registry } from '../../src/registry/index.js'
import { SALON_DEVICES_SQL, startSupabase } from '../helpers/supabase-stack.js'
import { captureLog, registryConfig, waitForStatus } from '../helpers/registry-support.js'

const stack = await startSupabase(t.testdir())
t.teardown(() => stack.close())

const addressProvider = async (): Promise<LocalAddress> => ({ address: '192.168.7.7', interface: 'eth0', source: 'default-route' })

function hub (salonId: string, supabaseKey: string): Registry {
  const registry = createRegistry({
    config: registryConfig({ supabaseUrl: stack.url, supabaseKey, heartbeatSeconds: 30, backoff: { initialMs: 50, maxMs: 200 } }),
    salonId,
    ports: { mqtt: 1883, ws: 8083, tls: null, http: 8080 },
    version: '0.1.0',
    log: captureLog().log,
    metrics: new Metrics(),
    addressProvider
  })
  return registry
}

/** A device's own supabase-js client, as the seed's connection flow uses it. */
function deviceClient (key: string) {
  return createClient(stack.url, key, { accessToken: async () => key, realtime: { transport: WebSocket as never } }) // `as never`: see src/registry/supabase-table.ts on the ws typings
}

t.test('the shipped SQL can be applied again without error (idempotent)', async (t) => {
  await t.resolves(stack.pg.psql(SALON_DEVICES_SQL, { file: true }))
  const policies = await stack.pg.query<{ policyname: string }>("select policyname from pg_policies where tablename = 'salon_devices' order by policyname")
  t.same(policies.map((p) => p.policyname), ['salon_devices_hub_insert', 'salon_devices_hub_update', 'salon_devices_read_own_salon'])
  const [rls] = await stack.pg.query<{ relrowsecurity: boolean }>("select relrowsecurity from pg_class where relname = 'salon_devices'")
  t.equal(rls?.relrowsecurity, true, 'row-level security is enabled')
})

t.test('an anon key cannot register a hub', async (t) => {
  const registry = hub('salon-rls', stack.anonKey)
  t.teardown(() => registry.close())
  await registry.start()
  const failing = await waitForStatus(registry, (s) => s.state === 'retrying')
  t.equal(failing.lastError?.status, 401, 'PostgREST refuses anon (no grant)')
  t.same(await stack.rows("salon_id = 'salon-rls'"), [], 'nothing written')
})

t.test('the service_role key registers the hub', async (t) => {
  const registry = hub('salon-rls', stack.serviceKey)
  await registry.start()
  await waitForStatus(registry, (s) => s.state === 'registered')
  await registry.close()
  t.match(await stack.rows("salon_id = 'salon-rls'"), [{ device_id: 'hub-salon-rls', is_local_hub: true, is_online: false }])
})

t.test('an anon key cannot change an existing row', async (t) => {
  const before = await stack.rows("salon_id = 'salon-rls'")
  const client = deviceClient(stack.anonKey)
  const { error, status } = await client.from('salon_devices').update({ is_online: true, local_ip: '10.6.6.6' }).eq('salon_id', 'salon-rls')
  t.ok(error !== null, 'refused')
  t.equal(status, 401)
  t.same(await stack.rows("salon_id = 'salon-rls'"), before, 'row unchanged')
})

t.test('a hub key (authenticated, salon_id, device_type store-app) registers, heartbeats over and marks offline its own salon\'s row', async (t) => {
  const key = await stack.key({ salon_id: 'salon-rls', device_type: 'store-app' })
  const registry = hub('salon-rls', key)
  await registry.start()
  await waitForStatus(registry, (s) => s.state === 'registered')
  t.match(await stack.rows("salon_id = 'salon-rls'"), [{ is_online: true }], 'existing row updated through the update policy')
  await registry.close()
  t.match(await stack.rows("salon_id = 'salon-rls'"), [{ is_online: false }])
  t.equal(registry.status().lastError, null, 'no write was refused')
})

t.test('a hub key of one salon cannot write another salon\'s row', async (t) => {
  const key = await stack.key({ salon_id: 'salon-rls', device_type: 'store-app' })
  const registry = hub('salon-other', key)
  t.teardown(() => registry.close())
  await registry.start()
  const failing = await waitForStatus(registry, (s) => s.state === 'retrying')
  t.equal(failing.lastError?.status, 403)
  t.match(failing.lastError?.message, /row-level security/)
  t.same(await stack.rows("salon_id = 'salon-other'"), [])
})

t.test('a device key (not store-app) cannot register itself as the hub', async (t) => {
  const key = await stack.key({ salon_id: 'salon-rls', device_type: 'mango-pad' })
  const registry = hub('salon-rls', key)
  t.teardown(() => registry.close())
  await registry.start()
  const failing = await waitForStatus(registry, (s) => s.state === 'retrying')
  t.equal(failing.lastError?.status, 403)
})

t.test('a device of the salon finds the online hub with the seed\'s query; other salons and anon see nothing', async (t) => {
  const registry = hub('salon-rls', stack.serviceKey)
  t.teardown(() => registry.close())
  await registry.start()
  await waitForStatus(registry, (s) => s.state === 'registered')
  const lookup = async (key: string, salonId: string): Promise<{ data: unknown, status: number }> => {
    const { data, status } = await deviceClient(key).from('salon_devices').select('local_ip, mqtt_port')
      .eq('salon_id', salonId).eq('is_local_hub', true).eq('is_online', true).maybeSingle()
    return { data, status }
  }
  const pad = await stack.key({ salon_id: 'salon-rls', device_type: 'mango-pad' })
  t.same((await lookup(pad, 'salon-rls')).data, { local_ip: '192.168.7.7', mqtt_port: 1883 }, 'the salon\'s pad finds its hub')
  const stranger = await stack.key({ salon_id: 'salon-elsewhere', device_type: 'mango-pad' })
  t.equal((await lookup(stranger, 'salon-rls')).data, null, 'a device of another salon does not see it')
  t.equal((await lookup(stack.anonKey, 'salon-rls')).status, 401, 'anon may not read')
})
