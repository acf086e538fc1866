/**
 * The bridge's Prometheus metrics, all named `mango_bridge_*`, registered on the hub's `Metrics`.
 */
import { type Counter, type Metrics } from '../metrics/metrics.js'
import { type BridgeStatus } from './status.js'

/** The counters the bridge increments; gauges are read from `status()` when metrics are rendered. */
export interface BridgeCounters {
  readonly out: Counter
  readonly in: Counter
  /** label `reason`: full | expired | too-large | refused */
  readonly dropped: Counter
  /** label `direction`: in | out */
  readonly duplicates: Counter
  /** label `kind`: the `LinkFailureKind` */
  readonly failures: Counter
}

const STATES = ['disabled', 'connecting', 'online', 'offline'] as const

/** Register the bridge metrics; `status` is read at render time for the gauges. */
export function registerBridgeMetrics (metrics: Metrics, status: () => BridgeStatus): BridgeCounters {
  metrics.collected('mango_bridge_state', 'Bridge state: 1 for the current state, 0 for the others.', () => {
    const state = status().state
    return STATES.map((s) => ({ labels: { state: s }, value: s === state ? 1 : 0 }))
  })
  metrics.collected('mango_bridge_outbox_messages', 'Messages waiting in the bridge outbox.', () => [{ value: status().outbox.messages }])
  metrics.collected('mango_bridge_outbox_bytes', 'Bytes waiting in the bridge outbox.', () => [{ value: status().outbox.bytes }])
  metrics.collected('mango_bridge_outbox_oldest_age_seconds', 'Age of the oldest unsent message in the bridge outbox (0 when empty).',
    () => [{ value: status().outbox.oldestAgeSeconds ?? 0 }])
  return {
    out: metrics.counter('mango_bridge_messages_out_total', 'Messages acknowledged by the cloud.'),
    in: metrics.counter('mango_bridge_messages_in_total', 'Messages from the cloud published locally.'),
    dropped: metrics.counter('mango_bridge_messages_dropped_total', 'Messages dropped unsent, by reason.'),
    duplicates: metrics.counter('mango_bridge_duplicates_total', 'Duplicates and echoes dropped by envelope id, by direction.'),
    failures: metrics.counter('mango_bridge_link_failures_total', 'Failed connection attempts and lost links, by kind.')
  }
}
