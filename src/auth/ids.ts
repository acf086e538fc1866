import { DEVICE_TYPES, type DeviceIdentity, type DeviceType } from './types.js'

/**
 * Salon and device ids: 1 to 64 letters, digits, `_` or `-` (the same rule as the hub's
 * `salonId` key). They end up inside topics, client ids and log lines, so they can never hold
 * `/`, `+`, `#`, `$` or control characters, and a placeholder expansion can never widen a filter.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

/** True when `id` is a valid salon or device id (see {@link ID_PATTERN}). */
export function isValidId (id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id)
}

/** True when `type` is one of the seed's device types. */
export function isDeviceType (type: unknown): type is DeviceType {
  return typeof type === 'string' && (DEVICE_TYPES as readonly string[]).includes(type)
}

/** True when all three parts of an identity are well-formed. */
export function isValidIdentity (identity: DeviceIdentity): boolean {
  return isValidId(identity.salonId) && isValidId(identity.deviceId) && isDeviceType(identity.deviceType)
}

/** The one client id a device may use: `${deviceType}-${deviceId}` (seed "Security"). */
export function clientIdOf (identity: Pick<DeviceIdentity, 'deviceType' | 'deviceId'>): string {
  return `${identity.deviceType}-${identity.deviceId}`
}

/** Longest type first, so `store-app-x` is never read as a shorter type's prefix. */
const TYPES_BY_LENGTH = [...DEVICE_TYPES].sort((a, b) => b.length - a.length)

/**
 * Split a client id of the shape `${deviceType}-${deviceId}` into its parts, or null when it does
 * not have that shape (unknown type, or an invalid device id).
 */
export function parseClientId (clientId: string): { deviceType: DeviceType, deviceId: string } | null {
  for (const deviceType of TYPES_BY_LENGTH) {
    const prefix = `${deviceType}-`
    if (clientId.startsWith(prefix)) {
      const deviceId = clientId.slice(prefix.length)
      return isValidId(deviceId) ? { deviceType, deviceId } : null
    }
  }
  return null
}

/** Quote a device-supplied string for a reason or log line: JSON-escaped and cut to 64 characters. */
export function quote (value: unknown): string {
  const text = typeof value === 'string' ? value : String(value)
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text)
}
