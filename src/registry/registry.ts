import { EventEmitter } from 'node:events'
import { type DeviceRecord } from '../auth/types.js'
import { type RegistryConfig } from '../config/sections/registry.js'
import { type Logger } from '../log/logger.js'
import { type Metrics } from '../metrics/metrics.js'
import { systemAddressProvider, type AddressProvider } from './address-provider.js'
import { backoffDelay } from './backoff.js'
import { type LocalAddress } from './local-address.js'
import { registrationPlan, type RegistrationPlan } from './plan.js'
import { registryMetrics, type RegistryMetrics } from './registry-metrics.js'
import { RetryQueue } from './retry-queue.js'
import { deviceRow, hubRow, type DeviceRow } from './rows.js'
import { lazySupabaseTable, RegistryWriteError, type TableWriter } from './table-writer.js'
import { type AdvertisedPorts, type Registry, type RegistryFailure, type RegistryState, type RegistryStatus } from './types.js'

/** What `createRegistry` needs from the hub. */
export interface RegistryOptions {
  readonly config: RegistryConfig
  readonly salonId: string | null
  /**
   * The ports to advertise, or a function read before every write (so a hub can create the
   * registry before its listeners are bound, e.g. on port 0, and still advertise the bound ports).
   */
  readonly ports: AdvertisedPorts | (() => AdvertisedPorts)
  readonly version: string
  readonly log: Logger
  readonly metrics: Metrics
  /** Which address to advertise; defaults to `registry.advertiseAddress` or the detected LAN IPv4. */
  readonly addressProvider?: AddressProvider
}

type WriteKind = 'register' | 'heartbeat' | 'offline'

function failureOf (err: unknown): RegistryFailure {
  const at = new Date().toISOString()
  if (err instanceof RegistryWriteError) return { at, status: err.status, message: err.message }
  return { at, status: null, message: err instanceof Error ? err.message : String(err) }
}

class HubRegistry extends EventEmitter implements Registry {
  readonly #config: RegistryConfig
  readonly #plan: RegistrationPlan
  readonly #ports: () => AdvertisedPorts
  readonly #version: string
  readonly #log: Logger
  readonly #metrics: RegistryMetrics
  readonly #address: AddressProvider
  readonly #writer: TableWriter | null
  readonly #mirrors: RetryQueue<DeviceRow>
  /** Aborted when the close deadline passes: cuts every request still running. */
  readonly #deadline = new AbortController()
  #state: RegistryState
  #reason: string | null
  #current: LocalAddress | null = null
  #lastAttemptAt: string | null = null
  #lastSuccessAt: string | null = null
  #lastError: RegistryFailure | null = null
  #failures = 0
  #nextAttemptAt: string | null = null
  #timer: NodeJS.Timeout | null = null
  #inflight: Promise<boolean> | null = null
  #closing: Promise<void> | null = null
  #started = false

  constructor (options: RegistryOptions) {
    super()
    this.#config = options.config
    const ports = options.ports
    this.#ports = typeof ports === 'function' ? ports : () => ports
    this.#version = options.version
    this.#log = options.log.child({ component: 'registry' })
    this.#address = options.addressProvider ?? systemAddressProvider(options.config.advertiseAddress)
    this.#mirrors = new RetryQueue<DeviceRow>({
      send: async (row, signal) => await this.#upsert(row, signal),
      delay: (failures) => backoffDelay(failures, this.#config.backoff),
      onResult: (key, _row, error) => this.#mirrored(key, error)
    })
    this.#metrics = registryMetrics(options.metrics, () => this.#mirrors.size)
    this.#metrics.up.set(0)
    this.#metrics.lastSuccess.set(0)
    this.#metrics.consecutiveFailures.set(0)
    const plan = registrationPlan(options.config, options.salonId)
    this.#plan = plan
    this.#writer = plan.enabled ? lazySupabaseTable({ url: plan.url, key: plan.key, table: options.config.table, timeoutMs: options.config.requestTimeoutMs }) : null
    this.#state = plan.enabled ? 'starting' : 'off'
    this.#reason = plan.enabled ? null : plan.reason
  }

  async start (): Promise<void> {
    if (!this.#plan.enabled) {
      const reason = this.#reason ?? 'off'
      if (this.#plan.severity === 'error') this.#log.error({ reason }, 'Supabase registration is off: configuration incomplete')
      else this.#log.info({ reason }, 'Supabase registration is off')
      this.#emit()
      return
    }
    if (this.#started || this.#closing !== null) return
    this.#started = true
    this.#log.info({ host: this.#plan.host, table: this.#config.table, deviceId: this.#plan.deviceId }, 'registering the hub in Supabase')
    this.#schedule(0)
  }

  async close (): Promise<void> {
    this.#closing ??= this.#close()
    return await this.#closing
  }

  status (): RegistryStatus {
    return {
      enabled: this.#plan.enabled,
      state: this.#state,
      reason: this.#reason,
      salonId: this.#plan.salonId,
      deviceId: this.#plan.deviceId,
      table: this.#config.table,
      supabaseHost: this.#plan.enabled ? this.#plan.host : null,
      address: this.#current?.address ?? null,
      addressSource: this.#current?.source ?? null,
      ports: this.#ports(),
      version: this.#version,
      heartbeatSeconds: this.#config.heartbeatSeconds,
      lastAttemptAt: this.#lastAttemptAt,
      lastSuccessAt: this.#lastSuccessAt,
      lastError: this.#lastError,
      consecutiveFailures: this.#failures,
      nextAttemptAt: this.#nextAttemptAt,
      pendingMirrors: this.#mirrors.size
    }
  }

  mirrorDevice (record: DeviceRecord, online = false): void {
    if (!this.#plan.enabled) return
    if (this.#closing !== null) {
      this.#log.warn({ deviceId: record.deviceId }, 'device not mirrored to Supabase: the hub is shutting down')
      return
    }
    this.#mirrors.put(record.deviceId, deviceRow(record, { hubDeviceId: this.#plan.deviceId, online }))
    this.#emit()
  }

  #emit (): void {
    this.emit('status', this.status())
  }

  #schedule (ms: number): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#nextAttemptAt = new Date(Date.now() + ms).toISOString()
    this.#timer = setTimeout(() => { void this.#beat() }, ms)
    this.#timer.unref()
  }

  async #beat (): Promise<void> {
    this.#timer = null
    this.#nextAttemptAt = null
    if (this.#closing !== null) return
    this.#inflight = this.#writeHub(this.#lastSuccessAt === null ? 'register' : 'heartbeat')
    const ok = await this.#inflight
    this.#inflight = null
    if (this.#closing !== null) return
    this.#schedule(ok ? this.#config.heartbeatSeconds * 1000 : backoffDelay(this.#failures, this.#config.backoff))
    this.#emit()
  }

  async #upsert (row: Parameters<TableWriter['upsert']>[0], signal: AbortSignal | undefined): Promise<void> {
    if (this.#writer === null) throw new RegistryWriteError(null, 'registration is off')
    await this.#writer.upsert(row, signal ?? this.#deadline.signal)
  }

  /** Write the hub's row; resolves true on success. Never rejects. */
  async #writeHub (kind: WriteKind): Promise<boolean> {
    if (!this.#plan.enabled) return false
    this.#lastAttemptAt = new Date().toISOString()
    try {
      const address = await this.#address()
      this.#noteAddress(address)
      if (address.address === null) {
        throw new RegistryWriteError(null, 'no LAN IPv4 address to advertise (set registry.advertiseAddress)')
      }
      const row = hubRow({ salonId: this.#plan.salonId, deviceId: this.#plan.deviceId, address: address.address, ports: this.#ports(), version: this.#version, online: kind !== 'offline', now: new Date() })
      await this.#upsert(row, undefined)
    } catch (err) {
      this.#failed(kind, failureOf(err))
      return false
    }
    this.#succeeded(kind)
    return true
  }

  #noteAddress (address: LocalAddress): void {
    const before = this.#current?.address ?? null
    this.#current = address
    if (before !== null && before !== address.address) {
      this.#log.info({ from: before, to: address.address, source: address.source }, 'advertised address changed')
    }
  }

  #succeeded (kind: WriteKind): void {
    const recovered = this.#failures > 0
    const first = this.#lastSuccessAt === null
    this.#lastSuccessAt = new Date().toISOString()
    this.#failures = 0
    if (this.#closing === null) {
      this.#state = 'registered'
      this.#reason = null
    }
    this.#metrics.writes.inc({ kind, result: 'ok' })
    this.#metrics.up.set(kind === 'offline' ? 0 : 1)
    this.#metrics.lastSuccess.set(Math.floor(Date.now() / 1000))
    this.#metrics.consecutiveFailures.set(0)
    const fields = { address: this.#current?.address, ports: this.#ports(), table: this.#config.table }
    if (kind === 'offline') this.#log.info('hub marked offline in Supabase')
    else if (first || recovered) this.#log.info(fields, recovered ? 'Supabase registration restored' : 'hub registered in Supabase')
    else this.#log.debug(fields, 'heartbeat written')
  }

  #failed (kind: WriteKind, failure: RegistryFailure): void {
    const changed = this.#lastError?.message !== failure.message
    this.#lastError = failure
    this.#failures++
    if (this.#closing === null) this.#state = 'retrying'
    this.#metrics.writes.inc({ kind, result: 'error' })
    this.#metrics.up.set(0)
    this.#metrics.consecutiveFailures.set(this.#failures)
    const fields = { kind, status: failure.status, error: failure.message, failures: this.#failures }
    // The operator's fault (a key Supabase rejects, a missing grant or policy) is an error; an
    // unreachable or failing Supabase is the environment's, a warning. Repeats go to debug.
    if (this.#failures === 1 || changed) {
      if (failure.status === 401 || failure.status === 403) this.#log.error(fields, 'Supabase refused the hub\'s key; retrying')
      else this.#log.warn(fields, 'Supabase registration failed; retrying')
    } else {
      this.#log.debug(fields, 'Supabase registration still failing')
    }
  }

  #mirrored (deviceId: string, error: unknown): void {
    if (error === null) {
      this.#metrics.writes.inc({ kind: 'device', result: 'ok' })
      this.#log.info({ deviceId }, 'device mirrored to Supabase')
    } else {
      const failure = failureOf(error)
      this.#metrics.writes.inc({ kind: 'device', result: 'error' })
      this.#log.warn({ deviceId, status: failure.status, error: failure.message }, 'device not mirrored to Supabase yet; retrying')
    }
    this.#emit()
  }

  async #close (): Promise<void> {
    if (!this.#plan.enabled) return
    if (!this.#started) {
      // Never started (the hub failed earlier in its start-up): there is no row of this run to take offline.
      this.#mirrors.stop()
      this.#state = 'closed'
      this.#emit()
      return
    }
    this.#state = 'closing'
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#nextAttemptAt = null
    this.#mirrors.stop()
    this.#emit()
    const deadline = setTimeout(() => this.#deadline.abort(), this.#config.closeTimeoutMs)
    try {
      // A heartbeat still in flight must land before the offline write, not after it.
      if (this.#inflight !== null) await this.#inflight
      await Promise.all([this.#writeHub('offline'), this.#mirrors.flush(this.#deadline.signal)])
    } finally {
      clearTimeout(deadline)
    }
    this.#state = 'closed'
    this.#emit()
  }
}

/**
 * The hub's registration in Supabase `salon_devices`: upserts the hub's row at start, rewrites
 * it every `heartbeatSeconds`, mirrors enrolled devices, and marks the row offline at close.
 * Failures are retried with backoff and reported in `status()` and the `mango_registry_*`
 * metrics; nothing here ever throws into the hub. Without `supabaseUrl` it is off.
 */
export function createRegistry (options: RegistryOptions): Registry {
  return new HubRegistry(options)
}
