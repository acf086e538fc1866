/**
 * The hub under test, as bridge scenarios see it. Scenarios take a `HubFactory`, so the same
 * scenario runs against the bridge on the small local stand-in (`startLocalBridgeHub`, here) and
 * against the real hub process (the lead's factory: spawn the hub with the bridge section, read
 * `/status`, connect devices with their tokens).
 */
import { type MqttClient, connect, type IClientOptions } from 'mqtt'
import { createBridge, type Bridge, type BridgeState, type BridgeStatus } from '../../src/bridge/index.js'
import { Metrics } from '../../src/metrics/metrics.js'
import { bridgeConfig } from './bridge-config.js'
import { startLocalHub, type LocalHub } from './bridge-local.js'
import { captureLog, type CapturedLog } from './bridge-log.js'
import { collect, waitUntil, type Collector } from './bridge-wait.js'

/** How to start a hub for a scenario. */
export interface HubStart {
  /** Data directory; starting again on the same directory is a restart. */
  readonly dir: string
  readonly salonId: string
  /** The `bridge` section (partial; defaults fill the rest). */
  readonly bridge: Record<string, unknown>
}

/** What a scenario may do with a hub. */
export interface HubUnderTest {
  /** Connect a device to the hub's local MQTT listener (CONNACK received), with a collector attached first; ended at `close`. */
  device (clientId: string, options?: IClientOptions): Promise<{ client: MqttClient, seen: Collector }>
  /** The bridge part of the hub status. */
  status (): Promise<BridgeStatus>
  /** Wait (bounded) until the bridge status satisfies `check`. */
  waitForStatus (check: (s: BridgeStatus) => boolean, what: string, ms?: number): Promise<BridgeStatus>
  /** Stop the hub cleanly. */
  close (): Promise<void>
}

/** Starts hubs. */
export type HubFactory = (start: HubStart) => Promise<HubUnderTest>

/** The local stand-in with its internals, for this area's own tests. */
export interface LocalBridgeHub extends HubUnderTest {
  readonly bridge: Bridge
  readonly hub: LocalHub
  readonly captured: CapturedLog
  readonly metrics: Metrics
  /** Every state the bridge reported through `'status'`, in order. */
  readonly states: BridgeState[]
}

/** Start the local stand-in hub with a real bridge on it. */
export async function startLocalBridgeHub (start: HubStart): Promise<LocalBridgeHub> {
  const hub = await startLocalHub(start.dir)
  const captured = captureLog()
  const metrics = new Metrics()
  const bridge = createBridge({
    config: bridgeConfig(start.bridge),
    salonId: start.salonId,
    db: hub.sublevel,
    local: hub.local,
    log: captured.log,
    metrics
  })
  const states: BridgeState[] = []
  bridge.on('status', (s) => { states.push(s.state) })
  await bridge.start()
  const devices = new Set<MqttClient>()
  let closed = false
  return {
    bridge,
    hub,
    captured,
    metrics,
    states,
    device: async (clientId, options = {}) => {
      const client = connect(hub.url, { clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options })
      devices.add(client)
      const seen = collect(client)
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => { resolve() })
        client.once('error', reject)
      })
      return { client, seen }
    },
    status: async () => bridge.status(),
    waitForStatus: async (check, what, ms = 15_000) => {
      try {
        await waitUntil(() => check(bridge.status()), `bridge status: ${what}`, ms)
      } catch (err) {
        const tail = captured.raw.slice(-15).join('\n')
        throw new Error(`${(err as Error).message}\nstatus: ${JSON.stringify(bridge.status())}\nlog:\n${tail}`)
      }
      return bridge.status()
    },
    close: async () => {
      if (closed) return
      closed = true
      for (const d of devices) d.end(true)
      await bridge.close()
      await hub.close()
    }
  }
}

/** `startLocalBridgeHub` as a `HubFactory`. */
export const localHubFactory: HubFactory = startLocalBridgeHub
