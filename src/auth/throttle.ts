/**
 * Brute-force slowdown: failed logins counted per remote address, answered with an exponential
 * delay. Pure apart from the injected clock; the map is bounded and entries expire.
 */
import { type ThrottleSection } from '../config/sections/auth.js'

/** Per-address failure counter. */
export interface Throttle {
  /** How long to wait before answering the next CONNECT from `address`, in ms (0: at once). */
  delayFor (address: string | undefined): number
  /** Count a failed login from `address`; returns the failures counted in the window. */
  recordFailure (address: string | undefined): number
  /** A successful login from `address` clears its failures. */
  recordSuccess (address: string | undefined): void
  /** Addresses tracked (for metrics). */
  readonly size: number
}

interface Entry { failures: number, last: number }

/** The key of a connection without a known address (one bucket for all of them). */
const UNKNOWN = 'unknown'

/**
 * Create a throttle: the first `freeFailures` failures cost nothing; then the delay is
 * `baseDelayMs · 2^(failures − freeFailures − 1)`, capped at `maxDelayMs`. An address is forgotten
 * `windowMs` after its last failure; beyond `maxAddresses` the least recently failed is dropped.
 */
export function createThrottle (config: ThrottleSection, now: () => number = Date.now): Throttle {
  const entries = new Map<string, Entry>()

  function live (address: string | undefined): Entry | undefined {
    const key = address ?? UNKNOWN
    const entry = entries.get(key)
    if (entry !== undefined && now() - entry.last >= config.windowMs) {
      entries.delete(key)
      return undefined
    }
    return entry
  }

  function evict (): void {
    // Map order is least recently failed first: entries are re-inserted on every failure.
    for (const [key, entry] of entries) {
      if (entries.size <= config.maxAddresses && now() - entry.last < config.windowMs) return
      entries.delete(key)
    }
  }

  return {
    delayFor (address) {
      const entry = live(address)
      if (entry === undefined || config.baseDelayMs === 0) return 0
      const over = entry.failures - config.freeFailures
      if (over <= 0) return 0
      // 2^30 already exceeds any cap; keep the exponent bounded.
      return Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** Math.min(over - 1, 30))
    },
    recordFailure (address) {
      const key = address ?? UNKNOWN
      const failures = (live(address)?.failures ?? 0) + 1
      entries.delete(key)
      entries.set(key, { failures, last: now() })
      if (entries.size > config.maxAddresses) evict()
      return failures
    },
    recordSuccess (address) {
      entries.delete(address ?? UNKNOWN)
    },
    get size () { return entries.size }
  }
}
