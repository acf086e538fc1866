/**
 * A real hub for the over-the-wire auth tests: in `devices` mode for salon {@link SALON} by
 * default, its devices enrolled in its own LevelDB before it starts (as `mango-broker devices add`
 * does), its JSON log lines kept in memory, closed at teardown. Restart it on the same data
 * directory by passing `dataDir` and the devices it already knows.
 */
import { type Test } from 'tap'
import { type HubBroker } from '../../src/broker/create-broker.js'
import { LevelDeviceRegistry } from '../../src/auth/device-registry.js'
import { clientIdOf } from '../../src/auth/ids.js'
import { type DeviceIdentity, type DeviceType } from '../../src/auth/types.js'
import { validateConfig } from '../../src/config/validate.js'
import { createHub, type Hub, type HubPorts } from '../../src/lifecycle/hub.js'
import { createLogger } from '../../src/log/logger.js'
import { openStore } from '../../src/store/open-store.js'

/** The salon the hub serves. */
export const SALON = 's1'
/** Another salon: none of its topics may reach or leave a device of this hub. */
export const OTHER_SALON = 's2'

/** A device to enrol; salon {@link SALON} unless told. */
export interface DeviceSpec { readonly deviceType: DeviceType, readonly deviceId: string, readonly salonId?: string }

/** An enrolled device with what it connects with. */
export interface Enrolled extends DeviceIdentity {
  readonly clientId: string
  readonly token: string
}

/** A running hub with its devices and its log. */
export interface WireHub {
  readonly hub: Hub
  readonly ports: HubPorts
  readonly dataDir: string
  readonly devices: ReadonlyMap<string, Enrolled>
  /** The enrolled device `deviceId` (throws when unknown, so a typo fails the test). */
  device (deviceId: string): Enrolled
  /** The running broker (throws when the hub is not running). */
  broker (): HubBroker
  /** Parsed JSON log lines so far. */
  readonly lines: Array<Record<string, unknown>>
  /** The raw log text so far. */
  text (): string
}

/** Enrol devices in the LevelDB of `dataDir` through the hub's own store and registry; the store is closed again. */
export async function enrol (dataDir: string, devices: readonly DeviceSpec[]): Promise<Map<string, Enrolled>> {
  const store = await openStore({ dataDir, fsync: true, queueLimits: { maxMessages: 1, maxBytes: 1024, policy: 'drop-new' } })
  const out = new Map<string, Enrolled>()
  try {
    const registry = new LevelDeviceRegistry(store.sublevel('devices'))
    for (const spec of devices) {
      const { device, token } = await registry.add({ salonId: spec.salonId ?? SALON, deviceType: spec.deviceType, deviceId: spec.deviceId })
      out.set(device.deviceId, { salonId: device.salonId, deviceType: device.deviceType, deviceId: device.deviceId, clientId: clientIdOf(device), token })
    }
  } finally {
    await store.close()
  }
  return out
}

function isPlainObject (v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Merge `b` into `a`; objects merge key by key, anything else (arrays included) replaces. */
export function deepMerge (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a }
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k]
    out[k] = isPlainObject(v) && isPlainObject(cur) ? deepMerge(cur, v) : v
  }
  return out
}

/**
 * Start a hub on free loopback ports. `devices` are enrolled first; `known` are devices enrolled
 * by an earlier run on the same `dataDir`. `config` overrides the defaults (devices mode, salon
 * {@link SALON}, brute-force slowdown off so the many refusals of a test do not slow each other).
 */
export async function startWireHub (t: Test, options: { devices?: readonly DeviceSpec[], known?: ReadonlyMap<string, Enrolled>, config?: Record<string, unknown>, dataDir?: string } = {}): Promise<WireHub> {
  const dataDir = options.dataDir ?? `${t.testdir()}/data`
  const enrolled = new Map(options.known ?? [])
  if (options.devices !== undefined && options.devices.length > 0) {
    for (const [id, device] of await enrol(dataDir, options.devices)) enrolled.set(id, device)
  }
  const config = validateConfig(deepMerge({
    dataDir,
    salonId: SALON,
    mqtt: { host: '127.0.0.1', port: 0 },
    ws: { port: null },
    http: { host: '127.0.0.1', port: 0 },
    auth: { mode: 'devices', throttle: { baseDelayMs: 0 } },
    log: { level: 'info' }
  }, options.config ?? {}))
  const lines: Array<Record<string, unknown>> = []
  let raw = ''
  const log = createLogger('info', {
    write (s: string) {
      raw += s
      for (const line of s.split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
    }
  })
  const hub = createHub(config, { log })
  const ports = await hub.start()
  t.teardown(async () => { await hub.close() })
  return {
    hub,
    ports,
    dataDir,
    devices: enrolled,
    device (deviceId) {
      const d = enrolled.get(deviceId)
      if (d === undefined) throw new Error(`test setup: no enrolled device ${JSON.stringify(deviceId)}`)
      return d
    },
    broker () {
      const b = hub.broker
      if (b === null) throw new Error('the hub is not running')
      return b
    },
    lines,
    text: () => raw
  }
}

/** The sum of every sample of a counter on the hub's `/metrics` (a real HTTP request). */
export async function counter (ports: HubPorts, name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${ports.http ?? 0}/metrics`, { signal: AbortSignal.timeout(5000) })
  const text = await res.text()
  let sum = 0
  let seen = false
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? (\S+)$/.exec(line)
    if (m?.[1] === name) {
      sum += Number(m[2])
      seen = true
    }
  }
  if (!seen && !text.includes(`# TYPE ${name} `)) throw new Error(`${name} is not on /metrics`)
  return sum
}
