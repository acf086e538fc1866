// A real local stand-in for a Supabase project: PostgreSQL with Supabase's roles and the shipped
// salon_devices.sql, PostgREST verifying HS256 JWT keys, and the /rest/v1 proxy in front.
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { SignJWT } from 'jose'
import { startPostgres, startPostgrest, SUPABASE_ROLES_SQL, type Postgres, type Postgrest } from './postgrest.js'
import { SupabaseProxy } from './supabase-proxy.js'

/** The table definition and policies the project ships. */
export const SALON_DEVICES_SQL = fileURLToPath(new URL('../../scripts/supabase/salon_devices.sql', import.meta.url))

/** A row of salon_devices as the tests read it straight from PostgreSQL. */
export interface SalonDeviceRow {
  id: string
  salon_id: string
  device_id: string
  device_type: string
  device_name: string | null
  local_ip: string | null
  mqtt_port: number | null
  ws_port: number | null
  tls_port: number | null
  http_port: number | null
  is_local_hub: boolean
  is_online: boolean
  last_seen: string | null
  hub_version: string | null
  hub_device_id: string | null
  enrolled_at: string | null
  revoked_at: string | null
  created_at: string
  updated_at: string
}

/** A running stand-in project. */
export interface SupabaseStack {
  /** Base URL for supabase-js (the proxy). */
  readonly url: string
  readonly proxy: SupabaseProxy
  readonly pg: Postgres
  readonly postgrest: Postgrest
  readonly jwtSecret: string
  /** A service_role key (bypasses row-level security). */
  readonly serviceKey: string
  /** An anon key. */
  readonly anonKey: string
  /** A key with role authenticated and the given claims (salon_id, device_type …). */
  key (claims: Record<string, string>): Promise<string>
  /** Rows of salon_devices, in (salon_id, device_id) order, optionally filtered by a SQL condition. */
  rows (where?: string): Promise<SalonDeviceRow[]>
  close (): Promise<void>
}

async function sign (secret: string, claims: Record<string, string>): Promise<string> {
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('supabase')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret))
}

/** Start the stand-in project in `dir`. Call `close()` in a teardown. */
export async function startSupabase (dir: string): Promise<SupabaseStack> {
  const pg = await startPostgres(dir)
  let postgrest: Postgrest | null = null
  try {
    await pg.psql(SUPABASE_ROLES_SQL)
    await pg.psql(SALON_DEVICES_SQL, { file: true })
    const jwtSecret = randomBytes(32).toString('base64url')
    postgrest = await startPostgrest({ dbPort: pg.port, jwtSecret })
    const proxy = new SupabaseProxy(postgrest.url)
    await proxy.listen()
    const running = postgrest
    return {
      url: proxy.url,
      proxy,
      pg,
      postgrest: running,
      jwtSecret,
      serviceKey: await sign(jwtSecret, { role: 'service_role' }),
      anonKey: await sign(jwtSecret, { role: 'anon' }),
      key: async (claims) => await sign(jwtSecret, { role: 'authenticated', ...claims }),
      rows: async (where = 'true') => await pg.query<SalonDeviceRow>(`select * from public.salon_devices where ${where} order by salon_id, device_id`),
      close: async () => {
        await proxy.down()
        await running.stop()
        await pg.stop()
      }
    }
  } catch (err) {
    await postgrest?.stop()
    await pg.stop()
    throw err
  }
}
