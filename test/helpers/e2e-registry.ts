/**
 * The registry end to end: a hub configuration pointing at the stand-in Supabase project
 * (PostgreSQL + PostgREST + the /rest/v1 proxy), and bounded waits on rows of salon_devices.
 */
import { pollUntil } from './e2e-hub.js'
import { type SalonDeviceRow, type SupabaseStack } from './supabase-stack.js'

/** An admin token for the enrollment routes (at least 16 characters). */
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef'

/** An address that is not the machine's, so a test can tell the override was used. */
export const ADVERTISED = '192.168.77.7'

/**
 * The `registry` section of a hub registering in `stack` with the service key, fast heartbeats
 * and retries; `extra` is merged over it (shallowly).
 */
export function registrySection (stack: SupabaseStack, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    supabaseUrl: stack.url,
    supabaseKey: stack.serviceKey,
    advertiseAddress: ADVERTISED,
    heartbeatSeconds: 1,
    backoff: { initialMs: 50, maxMs: 300 },
    ...extra
  }
}

/** The row of `deviceId` in `salonId`, or undefined. */
export async function rowOf (stack: SupabaseStack, salonId: string, deviceId: string): Promise<SalonDeviceRow | undefined> {
  const rows = await stack.rows(`salon_id = '${salonId}' and device_id = '${deviceId}'`)
  return rows[0]
}

/** Poll PostgreSQL until the row of `deviceId` satisfies `check` (bounded); resolves the row. */
export async function waitForRow (stack: SupabaseStack, salonId: string, deviceId: string, check: (row: SalonDeviceRow) => boolean, what: string, ms = 15_000): Promise<SalonDeviceRow> {
  const row = await pollUntil(async () => await rowOf(stack, salonId, deviceId), (r) => r !== undefined && check(r), `salon_devices row ${salonId}/${deviceId}: ${what}`, ms, 50)
  return row as SalonDeviceRow
}
