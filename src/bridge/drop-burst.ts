/**
 * Turns drops into log lines: one line when a burst of drops starts, one summary when it ends
 * (the first message stored without dropping anything), never one per message. Pure: time passed in.
 */

/** Why messages left the outbox unsent. */
export type DropCause = 'full' | 'expired' | 'too-large' | 'refused'

/** A finished burst. */
export interface BurstSummary {
  readonly durationMs: number
  readonly counts: Readonly<Partial<Record<DropCause, number>>>
  readonly total: number
}

/** Tracks the current drop burst. */
export class DropBurst {
  #startedAt = 0
  #counts: Partial<Record<DropCause, number>> | null = null

  /** True while a burst is going on. */
  get active (): boolean { return this.#counts !== null }

  /** Record `n` drops; returns true when this starts a burst (log it). */
  dropped (cause: DropCause, n: number, now: number): boolean {
    if (n <= 0) return false
    const starts = this.#counts === null
    if (this.#counts === null) {
      this.#counts = {}
      this.#startedAt = now
    }
    this.#counts[cause] = (this.#counts[cause] ?? 0) + n
    return starts
  }

  /** A message was stored without dropping anything: ends the burst, returning its summary (log it). */
  calm (now: number): BurstSummary | null {
    const counts = this.#counts
    if (counts === null) return null
    this.#counts = null
    const total = Object.values(counts).reduce((a, b) => a + b, 0)
    return { durationMs: now - this.#startedAt, counts, total }
  }
}
