/** Order statistics for the benchmark results. Pure. */

/** The nearest-rank percentile of values sorted ascending (p in 0..100); NaN when empty. */
export function percentile (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number
}

/** The median of the finite values; NaN when there are none. */
export function median (values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Latency summary in milliseconds. */
export interface LatencySummary { count: number, p50: number, p95: number, p99: number, max: number }

/** Summarise latencies (any order). */
export function summarize (latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b)
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1] as number }
}

/** a / b, or NaN when either is not a finite number or b is 0. */
export function ratio (a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN
  return a / b
}
