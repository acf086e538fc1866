import { type DeviceRecord } from '../auth/types.js'
import { type AdvertisedPorts } from './types.js'

/**
 * The rows the hub writes to `salon_devices`. Each kind always carries the same complete set of
 * the columns the hub owns, and never a column it does not own (`device_name`, `created_at`, …),
 * so an upsert cannot NULL a value set elsewhere. Rows are sent one per request: PostgREST
 * only NULLs absent columns in a bulk upsert whose rows have different keys.
 */

/** A row of the hub itself. */
export interface HubRow {
  readonly salon_id: string
  readonly device_id: string
  readonly device_type: 'store-app'
  readonly local_ip: string | null
  readonly mqtt_port: number
  readonly ws_port: number | null
  readonly tls_port: number | null
  readonly http_port: number | null
  readonly is_local_hub: true
  readonly is_online: boolean
  readonly last_seen: string
  readonly hub_version: string
}

/** A row of a device enrolled through the hub. */
export interface DeviceRow {
  readonly salon_id: string
  readonly device_id: string
  readonly device_type: string
  readonly is_local_hub: false
  readonly is_online: boolean
  readonly hub_device_id: string
  readonly enrolled_at: string
  readonly revoked_at: string | null
}

/** The conflict target of every upsert: the table's unique (salon_id, device_id). */
export const ON_CONFLICT = 'salon_id,device_id'

/** The hub's row at `now`. */
export function hubRow (input: {
  readonly salonId: string
  readonly deviceId: string
  readonly address: string | null
  readonly ports: AdvertisedPorts
  readonly version: string
  readonly online: boolean
  readonly now: Date
}): HubRow {
  return {
    salon_id: input.salonId,
    device_id: input.deviceId,
    device_type: 'store-app',
    local_ip: input.address,
    mqtt_port: input.ports.mqtt,
    ws_port: input.ports.ws,
    tls_port: input.ports.tls,
    http_port: input.ports.http,
    is_local_hub: true,
    is_online: input.online,
    last_seen: input.now.toISOString(),
    hub_version: input.version
  }
}

/** The row mirroring a device of the hub's registry. */
export function deviceRow (record: DeviceRecord, input: { readonly hubDeviceId: string, readonly online: boolean }): DeviceRow {
  return {
    salon_id: record.salonId,
    device_id: record.deviceId,
    device_type: record.deviceType,
    is_local_hub: false,
    is_online: record.revokedAt === null && input.online,
    hub_device_id: input.hubDeviceId,
    enrolled_at: record.createdAt,
    revoked_at: record.revokedAt
  }
}
