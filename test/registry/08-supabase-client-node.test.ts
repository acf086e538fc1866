// Does the hub's supabase-js client start on this Node version (Node 20 has no global WebSocket, which supabase-js 2.109 needs unless given ws)?
import { createRequire } from 'node:module'
import { createClient } from '@supabase/supabase-js'
import t from 'tap'
import { createSupabaseTable, RegistryWriteError } from '../../src/registry/supabase-table.js'
import { freePort } from '../helpers/postgrest.js'

const major = Number(process.versions.node.split('.')[0])

t.test('supabase-js is the exact version the lockfile pins (2.110+ declares node >= 22)', async (t) => {
  const pkg = createRequire(import.meta.url)('@supabase/supabase-js/package.json') as { version: string }
  t.equal(pkg.version, '2.109.0')
})

t.test('on Node < 22 a plain createClient throws for want of WebSocket: the trap the registry avoids', { skip: major >= 22 ? `Node ${process.version} has a global WebSocket` : false }, async (t) => {
  t.throws(() => createClient('http://127.0.0.1:1', 'key'), /WebSocket/)
})

t.test(`the registry's client is created on Node ${process.version} and reports a refused connection as a network error`, async (t) => {
  const closedPort = await freePort()
  const table = createSupabaseTable({ url: `http://127.0.0.1:${closedPort}`, key: 'key', table: 'salon_devices', timeoutMs: 2000 })
  const row = { salon_id: 's', device_id: 'd', device_type: 'store-app', local_ip: null, mqtt_port: 1883, ws_port: null, tls_port: null, http_port: 8080, is_local_hub: true, is_online: true, last_seen: new Date().toISOString(), hub_version: '0' } as const
  const err = await table.upsert(row).then(() => null, (e: unknown) => e)
  t.ok(err instanceof RegistryWriteError, 'a RegistryWriteError')
  t.match(err, { code: 'MANGO_ERR_REGISTRY', status: null, message: /^network error: .*ECONNREFUSED/ })
})
