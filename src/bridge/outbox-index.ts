/**
 * The in-memory index of the outbox: sequence number, size and age of every stored message, in
 * order, so that depth, bytes and oldest age are O(1) and the full policy can be decided
 * synchronously inside `DurableSink.take`. Payloads stay on disk. Pure: no I/O, time passed in.
 */

/** What the index knows of one stored message. */
export interface EntryMeta {
  readonly seq: number
  /** Stored bytes (key and value). */
  readonly bytes: number
  readonly takenAt: number
}

/** Bounds of the outbox. */
export interface OutboxLimits {
  readonly maxMessages: number
  readonly maxBytes: number
  readonly maxAgeMs: number
  readonly whenFull: 'drop-oldest' | 'refuse-new'
}

/** Why a message left the outbox unsent. */
export type DropReason = 'full' | 'expired' | 'too-large'

/** The decision for one new message: which stored messages to drop first, and whether to store it. */
export interface TakePlan {
  readonly drops: ReadonlyArray<{ readonly meta: EntryMeta, readonly reason: DropReason }>
  /** null when the new message is stored; otherwise why it is not. */
  readonly refused: DropReason | null
}

const COMPACT_AFTER = 1024

/** Ordered index of stored messages with O(1) depth, bytes and oldest, and O(1) amortised removal. */
export class OutboxIndex {
  #order: EntryMeta[] = []
  #head = 0
  readonly #live = new Map<number, EntryMeta>()
  #bytes = 0

  /** Messages stored. */
  get depth (): number { return this.#live.size }
  /** Bytes stored. */
  get bytes (): number { return this.#bytes }

  /** The oldest stored message, or undefined when empty. */
  oldest (): EntryMeta | undefined {
    this.#skipRemoved()
    return this.#order[this.#head]
  }

  /** True when `seq` is stored. */
  has (seq: number): boolean { return this.#live.has(seq) }

  /** Add a message; sequence numbers must grow. */
  add (meta: EntryMeta): void {
    const last = this.#order[this.#order.length - 1]
    if (last !== undefined && meta.seq <= last.seq) throw new RangeError(`outbox sequence ${meta.seq} is not after ${last.seq}`)
    this.#order.push(meta)
    this.#live.set(meta.seq, meta)
    this.#bytes += meta.bytes
  }

  /** Remove a message; returns it, or undefined when it was not stored. */
  remove (seq: number): EntryMeta | undefined {
    const meta = this.#live.get(seq)
    if (meta === undefined) return undefined
    this.#live.delete(seq)
    this.#bytes -= meta.bytes
    this.#skipRemoved()
    return meta
  }

  /** The stored messages older than `maxAgeMs` at `now`, oldest first, at most `limit`. */
  expired (now: number, maxAgeMs: number, limit: number): EntryMeta[] {
    const out: EntryMeta[] = []
    for (const meta of this.#liveInOrder()) {
      if (out.length >= limit || !isExpired(meta, now, maxAgeMs)) break
      out.push(meta)
    }
    return out
  }

  /**
   * Decide what storing a message of `bytes` bytes at `now` requires. Expired messages are always
   * dropped first. Then, if the bounds would be exceeded: `drop-oldest` drops the oldest messages
   * until the new one fits; `refuse-new` refuses the new one. A message bigger than `maxBytes` on
   * its own is refused under either policy. Does not change the index.
   */
  plan (bytes: number, now: number, limits: OutboxLimits): TakePlan {
    if (bytes > limits.maxBytes) return { drops: [], refused: 'too-large' }
    const drops: Array<{ meta: EntryMeta, reason: DropReason }> = []
    let depth = this.depth
    let total = this.#bytes
    const overflows = (): boolean => depth + 1 > limits.maxMessages || total + bytes > limits.maxBytes
    for (const meta of this.#liveInOrder()) {
      let reason: DropReason
      if (isExpired(meta, now, limits.maxAgeMs)) reason = 'expired'
      else if (limits.whenFull === 'drop-oldest' && overflows()) reason = 'full'
      else break
      drops.push({ meta, reason })
      depth -= 1
      total -= meta.bytes
    }
    return { drops, refused: overflows() ? 'full' : null }
  }

  * #liveInOrder (): Generator<EntryMeta> {
    for (let i = this.#head; i < this.#order.length; i++) {
      const meta = this.#order[i] as EntryMeta
      if (this.#live.has(meta.seq)) yield meta
    }
  }

  #skipRemoved (): void {
    while (this.#head < this.#order.length && !this.#live.has((this.#order[this.#head] as EntryMeta).seq)) {
      this.#head += 1
    }
    if (this.#head === this.#order.length) {
      this.#order = []
      this.#head = 0
    } else if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head)
      this.#head = 0
    }
  }
}

function isExpired (meta: EntryMeta, now: number, maxAgeMs: number): boolean {
  return now - meta.takenAt >= maxAgeMs
}
