/**
 * The bridge's counts since start (for `status()`), mirrored in its Prometheus counters, and the
 * drop-burst log lines: one warning when drops start, one summary when they end.
 */
import { type Logger } from '../log/logger.js'
import { type BridgeCounters } from './bridge-metrics.js'
import { DropBurst, type DropCause } from './drop-burst.js'

/** Counts of one bridge. */
export class Tally {
  readonly #counters: BridgeCounters
  readonly #log: Logger
  readonly #policy: string
  readonly #outbox: () => unknown
  readonly #burst = new DropBurst()
  readonly #counts = { in: 0, out: 0, dropped: 0, duplicates: 0 }

  /** `outbox` describes the outbox for the burst log line. */
  constructor (counters: BridgeCounters, log: Logger, policy: string, outbox: () => unknown) {
    this.#counters = counters
    this.#log = log
    this.#policy = policy
    this.#outbox = outbox
  }

  /** A copy of the counts. */
  get counts (): { in: number, out: number, dropped: number, duplicates: number } { return { ...this.#counts } }
  /** True while a drop burst is going on. */
  get full (): boolean { return this.#burst.active }

  /** A cloud message was published locally. */
  in (): void {
    this.#counts.in += 1
    this.#counters.in.inc()
  }

  /** The cloud acknowledged one of ours. */
  out (): void {
    this.#counts.out += 1
    this.#counters.out.inc()
  }

  /** A duplicate or an echo was dropped. */
  duplicate (direction: 'in' | 'out'): void {
    this.#counts.duplicates += 1
    this.#counters.duplicates.inc({ direction })
  }

  /** `n` messages left the outbox unsent. */
  dropped (cause: DropCause, n: number): void {
    if (n <= 0) return
    this.#counts.dropped += n
    this.#counters.dropped.inc({ reason: cause }, n)
    if (this.#burst.dropped(cause, n, Date.now())) {
      this.#log.warn({ cause, policy: this.#policy, outbox: this.#outbox() },
        'bridge: outbox dropping messages unsent (one line per burst; counts in status and metrics)')
    }
  }

  /** A message was stored without dropping anything. */
  calm (): void {
    const summary = this.#burst.calm(Date.now())
    if (summary !== null) this.#log.warn({ ...summary }, 'bridge: outbox drop burst ended')
  }
}
