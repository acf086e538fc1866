import { type Counter, type Gauge, type Metrics } from '../metrics/metrics.js'

/** The `mango_registry_*` metric families. */
export interface RegistryMetrics {
  /** 1 while the last write of the hub's row succeeded, else 0. */
  readonly up: Gauge
  /** Writes by `kind` (register, heartbeat, offline, device) and `result` (ok, error). */
  readonly writes: Counter
  /** Unix time in seconds of the last successful write of the hub's row (0: never). */
  readonly lastSuccess: Gauge
  /** Failed writes of the hub's row since the last success. */
  readonly consecutiveFailures: Gauge
}

/** Register the registry's metrics; `pendingMirrors` is read when the metrics are rendered. */
export function registryMetrics (metrics: Metrics, pendingMirrors: () => number): RegistryMetrics {
  metrics.collected('mango_registry_pending_mirrors', 'Device rows waiting to be written to Supabase.', () => [{ value: pendingMirrors() }])
  return {
    up: metrics.gauge('mango_registry_up', 'Whether the last write of the hub\'s row to Supabase succeeded (1) or not (0).'),
    writes: metrics.counter('mango_registry_writes_total', 'Writes to Supabase by kind (register, heartbeat, offline, device) and result (ok, error).'),
    lastSuccess: metrics.gauge('mango_registry_last_success_timestamp_seconds', 'Unix time of the last successful write of the hub\'s row to Supabase (0: never).'),
    consecutiveFailures: metrics.gauge('mango_registry_consecutive_failures', 'Failed writes of the hub\'s row to Supabase since the last success.')
  }
}
