/**
 * The real hub (`createHub`, in this process) for end-to-end tests, and as a bridge scenario's
 * `HubFactory`: the bridge is the one the hub wires from its `bridge` section, devices connect to
 * the hub's MQTT listener, and the status a scenario reads is the `bridge` key of `GET /status`.
 * The hub logs into memory (the hub's pino logger at debug), so tests can assert what it logged.
 */
import { type Test } from 'tap'
import { connect, type IClientOptions, type MqttClient } from 'mqtt'
import { type BridgeStatus } from '../../src/bridge/index.js'
import { validateConfig } from '../../src/config/validate.js'
import { createHub, type Hub, type HubPorts } from '../../src/lifecycle/hub.js'
import { type PartStatus } from '../../src/lifecycle/parts.js'
import { captureLog, type CapturedLog } from './bridge-log.js'
import { type HubFactory, type HubStart, type HubUnderTest } from './bridge-harness.js'
import { collect } from './bridge-wait.js'

/** A real hub started for a bridge scenario. */
export type E2eHub = HubUnderTest & Omit<RealHub, 'device' | 'close' | 'closed'>

/** `deepMerge(a, b)`: b over a, objects merged key by key, anything else replaced. */
export function deepMerge (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a }
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k]
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && cur !== null && typeof cur === 'object' && !Array.isArray(cur)
      ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
      : v
  }
  return out
}

/** GET a hub HTTP path on 127.0.0.1 and parse the answer as JSON (throws on a non-2xx answer). */
export async function getJson (port: number, path: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers })
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`)
  return await res.json() as Record<string, unknown>
}

/** Poll `read` until `check` holds on its result (bounded); the timeout message carries the last result. */
export async function pollUntil<T> (read: () => Promise<T>, check: (value: T) => boolean, what: string, ms = 15_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await read()
    if (check(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/** A real hub in this process, with HTTP helpers and its captured log. */
export interface RealHub {
  readonly hub: Hub
  readonly ports: HubPorts
  readonly captured: CapturedLog
  /** Every `'status'` event the hub emitted (bridge and registry), in order. */
  readonly events: PartStatus[]
  /** `GET /status` of the hub, parsed. */
  httpStatus (): Promise<Record<string, unknown>>
  /** `GET /metrics` of the hub, as text. */
  metricsText (): Promise<string>
  /** Connect an mqtt.js 3.1.1 client to the hub's MQTT listener (CONNACK received), collector attached first; ended at `close`. */
  device: HubUnderTest['device']
  /** Close the hub (devices first); throws when a step failed or missed the deadline. Idempotent. */
  close (): Promise<void>
  readonly closed: boolean
}

/**
 * Start a real hub (`createHub`) with `config` merged over test defaults: free loopback ports,
 * WebSocket off, open auth mode, log at debug into memory. Closed at teardown.
 */
export async function startRealHub (t: Test, config: Record<string, unknown>): Promise<RealHub> {
  const validated = validateConfig(deepMerge({
    mqtt: { host: '127.0.0.1', port: 0 },
    ws: { port: null },
    http: { host: '127.0.0.1', port: 0 },
    auth: { mode: 'open' },
    log: { level: 'debug' }
  }, config))
  const captured = captureLog()
  const hub = createHub(validated, { log: captured.log })
  const events: PartStatus[] = []
  hub.on('status', (s: PartStatus) => { events.push(s) })
  const ports = await hub.start()
  const http = ports.http as number
  const devices = new Set<MqttClient>()
  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    for (const d of devices) d.end(true)
    const failed = await hub.close()
    if (failed.length > 0) throw new Error(`hub close failed: ${failed.join(', ')}`)
  }
  t.teardown(close)
  return {
    hub,
    ports,
    captured,
    events,
    get closed () { return closed },
    httpStatus: async () => await getJson(http, '/status'),
    metricsText: async () => await (await fetch(`http://127.0.0.1:${http}/metrics`)).text(),
    device: async (clientId: string, options: IClientOptions = {}) => {
      const client = connect({ host: '127.0.0.1', port: ports.mqtt, clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options })
      devices.add(client)
      const seen = collect(client)
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => { resolve() })
        client.once('error', reject)
      })
      return { client, seen }
    },
    close
  }
}

/**
 * Start a real hub for a bridge scenario: `salonId`, data directory and `bridge` section from
 * `start`, `extra` merged over the rest (open auth mode: the scenarios are about the bridge;
 * identity is covered by test/auth and the registry end-to-end tests).
 */
export async function startE2eHub (t: Test, start: HubStart, extra: Record<string, unknown> = {}): Promise<E2eHub> {
  const real = await startRealHub(t, deepMerge({ salonId: start.salonId, dataDir: start.dir, bridge: start.bridge }, extra))
  const http = real.ports.http as number
  const bridgeStatus = async (): Promise<BridgeStatus> => {
    if (real.closed) throw new Error('the hub is closed: no /status to read')
    return (await getJson(http, '/status')).bridge as BridgeStatus
  }
  return {
    hub: real.hub,
    ports: real.ports,
    captured: real.captured,
    events: real.events,
    httpStatus: real.httpStatus,
    metricsText: real.metricsText,
    device: real.device,
    close: real.close,
    status: bridgeStatus,
    waitForStatus: async (check, what, ms = 15_000) => {
      try {
        return await pollUntil(bridgeStatus, check, `bridge status in /status: ${what}`, ms)
      } catch (err) {
        const tail = real.captured.raw.filter((l) => l.includes('"component":"bridge"')).slice(-15).join('\n')
        throw new Error(`${(err as Error).message}\nbridge log:\n${tail}`)
      }
    }
  }
}

/** The real hub as a `HubFactory`; every hub it started is in `hubs`, in order. */
export function e2eHubFactory (t: Test, extra: Record<string, unknown> = {}): { factory: HubFactory, hubs: E2eHub[] } {
  const hubs: E2eHub[] = []
  const factory: HubFactory = async (start) => {
    const hub = await startE2eHub(t, start, extra)
    hubs.push(hub)
    return hub
  }
  return { factory, hubs }
}
