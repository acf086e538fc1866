/** How long to wait before the next try after failures (pure: the random source is passed in). */
export interface BackoffOptions {
  /** Delay after the first failure, in milliseconds. */
  readonly initialMs: number
  /** Largest delay, in milliseconds. */
  readonly maxMs: number
  /** Factor applied per further failure. */
  readonly multiplier: number
  /** Fraction (0 to 1) by which a delay is spread at random either way, so hubs do not retry in step. */
  readonly jitter: number
}

/**
 * The delay before retry number `failures` (1 after the first failure): exponential growth
 * `initialMs × multiplier^(failures-1)` capped at `maxMs`, then spread by ±`jitter`, never
 * above `maxMs` nor below zero. `random` returns a number in [0, 1), as `Math.random` does.
 */
export function backoffDelay (failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failures))
  const base = Math.min(options.maxMs, options.initialMs * Math.pow(options.multiplier, n - 1))
  const spread = 1 + options.jitter * (2 * random() - 1)
  return Math.round(Math.min(options.maxMs, Math.max(0, base * spread)))
}
