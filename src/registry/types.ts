import { type DeviceRecord } from '../auth/types.js'

/** The hub's listening ports as they are advertised (null: listener off). */
export interface AdvertisedPorts {
  readonly mqtt: number
  readonly ws: number | null
  readonly tls: number | null
  readonly http: number | null
}

/**
 * Where registration stands:
 * - `off`: no Supabase configured (or no salon id / key), nothing is sent;
 * - `starting`: the first write has not finished yet;
 * - `registered`: the last write of the hub's row succeeded;
 * - `retrying`: the last write failed; the next try is at `nextAttemptAt`;
 * - `closing` / `closed`: shutdown marks the row offline, then nothing more is sent.
 */
export type RegistryState = 'off' | 'starting' | 'registered' | 'retrying' | 'closing' | 'closed'

/** The last failure talking to Supabase (no key, no payload: safe for `/status` and logs). */
export interface RegistryFailure {
  readonly at: string
  /** HTTP status, or null for a network error or timeout. */
  readonly status: number | null
  readonly message: string
}

/** What the hub has registered and how the last attempts went; served by `GET /registration`. */
export interface RegistryStatus {
  readonly enabled: boolean
  readonly state: RegistryState
  /** Why registration is off, when it is. */
  readonly reason: string | null
  readonly salonId: string | null
  readonly deviceId: string | null
  readonly table: string
  /** Host of the Supabase project (no path, no credentials), null when off. */
  readonly supabaseHost: string | null
  readonly address: string | null
  readonly addressSource: 'override' | 'default-route' | 'fallback' | 'none' | null
  readonly ports: AdvertisedPorts
  readonly version: string
  readonly heartbeatSeconds: number
  readonly lastAttemptAt: string | null
  readonly lastSuccessAt: string | null
  readonly lastError: RegistryFailure | null
  readonly consecutiveFailures: number
  readonly nextAttemptAt: string | null
  /** Device rows waiting to be mirrored (enrolments and revocations not yet written). */
  readonly pendingMirrors: number
}

/** The hub's registration in Supabase. Created by `createRegistry`. */
export interface Registry {
  /** Begin registering; resolves at once and never rejects because Supabase is down. */
  start (): Promise<void>
  /** Stop the heartbeat and mark the row offline (is_online false) within `closeTimeoutMs`. Idempotent. */
  close (): Promise<void>
  /** A snapshot of the registration. */
  status (): RegistryStatus
  /**
   * Mirror an enrolled or revoked device into the table (is_local_hub false). Queued and
   * retried with backoff until it succeeds (while the hub runs); a newer call for the same
   * device replaces a pending one. `online` defaults to false. No-op when registration is off.
   */
  mirrorDevice (record: DeviceRecord, online?: boolean): void
  /** Emitted after every state change and every write attempt. */
  on (event: 'status', listener: (status: RegistryStatus) => void): this
  off (event: 'status', listener: (status: RegistryStatus) => void): this
}
