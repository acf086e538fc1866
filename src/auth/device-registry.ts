/**
 * The local device registry on a LevelDB sublevel: one record per device id, holding the salted
 * scrypt hash of its current token (never the token). Writes are synced, so a revocation
 * survives a power cut.
 */
import { timingSafeEqual } from 'node:crypto'
import { type Sublevel } from '../store/types.js'
import { isDeviceType, isValidId, quote } from './ids.js'
import { DeviceRegistryError } from './registry-errors.js'
import { generateToken, hashToken, tokenDigest, verifyToken } from './token-hash.js'
import { type DeviceRecord, type DeviceRegistry, type DeviceType } from './types.js'

/** What a stored record holds (format version 1). */
interface StoredDevice extends DeviceRecord {
  readonly v: 1
  readonly hash: string
}

/** The outcome of checking a presented token, for the authenticator. */
export type TokenCheck =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'mismatch', readonly device: DeviceRecord }
  | { readonly kind: 'match', readonly device: DeviceRecord }

/** A registry that can also check tokens (the `devices` authenticator needs this). */
export interface TokenRegistry extends DeviceRegistry {
  /** Check `token` against the device's stored hash; revocation is reported in `device.revokedAt`, never cached. */
  check (deviceId: string, token: string): Promise<TokenCheck>
  /** Be told when a device's token stops working (revoke, rotate), to close its live session. Returns the unsubscribe function. */
  onInvalidated (listener: (deviceId: string) => void): () => void
}

/** Options of {@link LevelDeviceRegistry}. */
export interface DeviceRegistryOptions {
  /** How long a verified token is recognised without scrypt, in ms (0: always scrypt). */
  readonly cacheTtlMs?: number
  /** Clock, for tests. */
  readonly now?: () => number
}

const CACHE_MAX = 1024
// `sync` is a classic-level option the sublevel passes on to the parent database.
const SYNC = { valueEncoding: 'buffer', sync: true } as const

function publicRecord (stored: StoredDevice): DeviceRecord {
  return { salonId: stored.salonId, deviceId: stored.deviceId, deviceType: stored.deviceType, createdAt: stored.createdAt, revokedAt: stored.revokedAt }
}

/**
 * {@link DeviceRegistry} on a LevelDB sublevel, e.g. `db.sublevel('devices', { valueEncoding: 'buffer' })`.
 * A successful verification is remembered in memory only (a SHA-256 digest of the token, tied to
 * the stored hash), so a rotation invalidates it and a revocation, read from the store on every
 * check, takes effect at once.
 */
export class LevelDeviceRegistry implements TokenRegistry {
  readonly #db: Sublevel
  readonly #cacheTtlMs: number
  readonly #now: () => number
  readonly #verified = new Map<string, { digest: Buffer, hash: string, expires: number }>()
  readonly #listeners = new Set<(deviceId: string) => void>()
  #queue: Promise<unknown> = Promise.resolve()

  constructor (db: Sublevel, options: DeviceRegistryOptions = {}) {
    this.#db = db
    this.#cacheTtlMs = options.cacheTtlMs ?? 60_000
    this.#now = options.now ?? Date.now
  }

  /** Run registry writes one at a time (LevelDB has no read-modify-write transaction). */
  #exclusive<T> (work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work)
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #read (deviceId: string): Promise<StoredDevice | undefined> {
    if (!isValidId(deviceId)) return undefined
    const value = await this.#db.get(deviceId)
    return value === undefined ? undefined : JSON.parse(value.toString('utf8')) as StoredDevice
  }

  async #write (stored: StoredDevice): Promise<void> {
    this.#verified.delete(stored.deviceId)
    await this.#db.put(stored.deviceId, Buffer.from(JSON.stringify(stored)), SYNC)
  }

  #invalidated (deviceId: string): void {
    for (const listener of this.#listeners) listener(deviceId)
  }

  /** Create a device and return its token (shown once). Throws `DeviceRegistryError` when it exists or is malformed. */
  add (device: { salonId: string, deviceType: DeviceType, deviceId: string }): Promise<{ device: DeviceRecord, token: string }> {
    const problems = [
      isValidId(device.salonId) ? null : `salon id ${quote(device.salonId)}`,
      isValidId(device.deviceId) ? null : `device id ${quote(device.deviceId)}`,
      isDeviceType(device.deviceType) ? null : `device type ${quote(device.deviceType)}`
    ].filter((p) => p !== null)
    if (problems.length > 0) {
      return Promise.reject(new DeviceRegistryError('MANGO_ERR_DEVICE_INVALID',
        `invalid ${problems.join(', ')}: ids are 1 to 64 letters, digits, "_" or "-"; types are the seed's device types`))
    }
    return this.#exclusive(async () => {
      if (await this.#read(device.deviceId) !== undefined) {
        throw new DeviceRegistryError('MANGO_ERR_DEVICE_EXISTS', `device ${quote(device.deviceId)} already exists (rotate issues it a new token)`)
      }
      const token = generateToken()
      const stored: StoredDevice = {
        v: 1,
        salonId: device.salonId,
        deviceType: device.deviceType,
        deviceId: device.deviceId,
        createdAt: new Date(this.#now()).toISOString(),
        revokedAt: null,
        hash: await hashToken(token)
      }
      await this.#write(stored)
      return { device: publicRecord(stored), token }
    })
  }

  /** Every device, ordered by device id. */
  async list (): Promise<DeviceRecord[]> {
    const values = await this.#db.values().all()
    return values.map((v) => publicRecord(JSON.parse(v.toString('utf8')) as StoredDevice))
  }

  async get (deviceId: string): Promise<DeviceRecord | undefined> {
    const stored = await this.#read(deviceId)
    return stored === undefined ? undefined : publicRecord(stored)
  }

  /** Revoke a device at once; revoking again keeps the first revocation time. Resolves false when unknown. */
  revoke (deviceId: string): Promise<boolean> {
    return this.#exclusive(async () => {
      const stored = await this.#read(deviceId)
      if (stored === undefined) return false
      if (stored.revokedAt === null) await this.#write({ ...stored, revokedAt: new Date(this.#now()).toISOString() })
      this.#invalidated(deviceId)
      return true
    })
  }

  /** Issue a new token: the old one stops working, and a revoked device is enabled again. Throws when unknown. */
  rotate (deviceId: string): Promise<{ device: DeviceRecord, token: string }> {
    return this.#exclusive(async () => {
      const stored = await this.#read(deviceId)
      if (stored === undefined) throw new DeviceRegistryError('MANGO_ERR_DEVICE_UNKNOWN', `unknown device ${quote(deviceId)}`)
      const token = generateToken()
      const next: StoredDevice = { ...stored, revokedAt: null, hash: await hashToken(token) }
      await this.#write(next)
      this.#invalidated(deviceId)
      return { device: publicRecord(next), token }
    })
  }

  async check (deviceId: string, token: string): Promise<TokenCheck> {
    const stored = await this.#read(deviceId)
    if (stored === undefined) {
      await verifyToken(token, null)
      return { kind: 'unknown' }
    }
    const device = publicRecord(stored)
    const digest = tokenDigest(token)
    const cached = this.#verified.get(deviceId)
    if (cached !== undefined && cached.hash === stored.hash && cached.expires > this.#now() && timingSafeEqual(cached.digest, digest)) {
      return { kind: 'match', device }
    }
    if (!await verifyToken(token, stored.hash)) return { kind: 'mismatch', device }
    // A revoke or rotate may have landed while scrypt ran: decide on the record as it is now.
    const fresh = await this.#read(deviceId)
    if (fresh === undefined) return { kind: 'unknown' }
    if (fresh.hash !== stored.hash) return { kind: 'mismatch', device: publicRecord(fresh) }
    if (this.#cacheTtlMs > 0) {
      if (this.#verified.size >= CACHE_MAX) this.#verified.clear()
      this.#verified.set(deviceId, { digest, hash: fresh.hash, expires: this.#now() + this.#cacheTtlMs })
    }
    return { kind: 'match', device: publicRecord(fresh) }
  }

  onInvalidated (listener: (deviceId: string) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }
}
