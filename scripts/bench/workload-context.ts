/** What every workload gets: the client pool, the options and its broker. */
import { type BenchOptions } from './options.js'
import { type WorkerPool } from './pool.js'
import { type Target } from './targets.js'

/** Figures of one workload run on one broker, by metric name. */
export type Figures = Record<string, number>

export interface WorkloadContext {
  readonly pool: WorkerPool
  readonly options: BenchOptions
  readonly target: Target
  /** Progress lines for the console. */
  log (line: string): void
}

/** Split items into `n` chunks of nearly equal size (no empty chunk). Pure. */
export function chunks<T> (items: readonly T[], n: number): T[][] {
  const out: T[][] = Array.from({ length: Math.min(n, items.length) }, () => [])
  items.forEach((item, i) => { out[i % out.length]?.push(item) })
  return out
}

export const MB = 1024 * 1024
