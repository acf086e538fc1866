/** The device types of the seed's `DeviceType`; the last two only ever reach the cloud. */
export const DEVICE_TYPES = ['store-app', 'check-in', 'mango-pad', 'staff-tablet', 'online-store', 'client-portal'] as const
export type DeviceType = typeof DEVICE_TYPES[number]

/** Who a connection is, once its token has been verified. */
export interface DeviceIdentity {
  readonly salonId: string
  readonly deviceId: string
  readonly deviceType: DeviceType
}

/** What a connection presents at CONNECT. */
export interface Credentials {
  readonly clientId: string
  readonly username: string | undefined
  readonly password: Buffer | undefined
  readonly remoteAddress: string | undefined
}

/**
 * Verifies credentials offline. Resolves the identity or rejects with an `AuthError`
 * carrying the CONNACK code (4 bad credentials, 5 not authorised, 2 identifier rejected).
 */
export interface Authenticator {
  verify (credentials: Credentials): Promise<DeviceIdentity>
}

/** A device known to the hub's local registry (the token itself is never stored). */
export interface DeviceRecord extends DeviceIdentity {
  readonly createdAt: string
  readonly revokedAt: string | null
}

/** The local device registry, used by the `devices` command and the HTTP enrollment routes. */
export interface DeviceRegistry {
  /** Create a device and return its token, which is shown this once and stored only as a salted hash. */
  add (device: { salonId: string, deviceType: DeviceType, deviceId: string }): Promise<{ device: DeviceRecord, token: string }>
  list (): Promise<DeviceRecord[]>
  get (deviceId: string): Promise<DeviceRecord | undefined>
  /** Revoke a device: its token stops working at once. Resolves false when unknown. */
  revoke (deviceId: string): Promise<boolean>
  /** Issue a new token; the old one stops working. */
  rotate (deviceId: string): Promise<{ device: DeviceRecord, token: string }>
}
