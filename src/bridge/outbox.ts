/**
 * The durable, ordered, bounded hub-to-cloud outbox on the bridge's LevelDB sublevel.
 *
 * Messages are written by the hub in the same batch as the local publish (see `DurableSink`), under
 * keys that sort in publish order. The sequence number is persisted (`s:seq`, written in every batch)
 * and recovered at open from the greater of that key and the last message key, so numbering never
 * restarts at 0 after a restart or an unclean stop. A message leaves the outbox when the cloud
 * acknowledges it (deletes are batched), or when a bound drops it (see `OutboxIndex.plan`).
 */
import { type StoreOperation, type Sublevel } from '../store/types.js'
import {
  MESSAGE_PREFIX, MESSAGE_PREFIX_END, SEQUENCE_KEY, decodeRecord, encodeRecord, isRecord, messageKey, sequenceOf, takenAtOf,
  type OutboxRecord
} from './outbox-record.js'
import { OutboxIndex, type DropReason, type EntryMeta, type OutboxLimits } from './outbox-index.js'

/** A stored message with its sequence number. */
export interface OutboxEntry extends OutboxRecord {
  readonly seq: number
}

/** What `take` decided: the writes for the hub's batch and what was dropped to make room. */
export interface TakeResult {
  readonly ops: StoreOperation[]
  /** Sequence number given to the message, or null when it was not stored. */
  readonly seq: number | null
  readonly refused: DropReason | null
  readonly drops: ReadonlyArray<{ readonly meta: EntryMeta, readonly reason: DropReason }>
}

/** Depth, bytes and the age of the oldest message, all O(1). */
export interface OutboxStats {
  readonly messages: number
  readonly bytes: number
  readonly oldestAgeSeconds: number | null
}

const SEQ_VALUE_BYTES = 8
const EXPIRE_BATCH = 10000

/** The outbox of one bridge. Create it with `Outbox.open`. */
export class Outbox {
  readonly #db: Sublevel
  readonly #limits: OutboxLimits
  readonly #index: OutboxIndex
  readonly #onWriteError: (err: unknown) => void
  #seq: number
  #committedSeq: number
  #pendingDeletes: string[] = []
  #flushScheduled = false
  #flushing: Promise<void> = Promise.resolve()
  /** Stored values that could not be read at open and were deleted. */
  readonly discardedAtOpen: number

  private constructor (db: Sublevel, limits: OutboxLimits, index: OutboxIndex, seq: number, discarded: number, onWriteError: (err: unknown) => void) {
    this.#db = db
    this.#limits = limits
    this.#index = index
    this.#seq = seq
    this.#committedSeq = seq
    this.discardedAtOpen = discarded
    this.#onWriteError = onWriteError
  }

  /**
   * Open the outbox: recover the sequence number and rebuild the index from the stored messages
   * (everything on disk was committed). `onWriteError` receives failures of the batched deletes,
   * which are not fatal: an undeleted message is sent again after a restart.
   */
  static async open (db: Sublevel, limits: OutboxLimits, onWriteError: (err: unknown) => void): Promise<Outbox> {
    const index = new OutboxIndex()
    let seq = await readSequence(db)
    const corrupt: string[] = []
    for await (const [key, value] of db.iterator({ gte: MESSAGE_PREFIX, lt: MESSAGE_PREFIX_END })) {
      const n = sequenceOf(key)
      if (n === null || !isRecord(value)) {
        corrupt.push(key)
        continue
      }
      index.add({ seq: n, bytes: key.length + value.length, takenAt: takenAtOf(value) })
      if (n > seq) seq = n
    }
    if (corrupt.length > 0) await db.batch(corrupt.map((key) => ({ type: 'del' as const, key })))
    return new Outbox(db, limits, index, seq, corrupt.length, onWriteError)
  }

  /** The highest sequence number given out so far. */
  get sequence (): number { return this.#seq }
  /** The highest sequence number known to be on disk. */
  get committedSeq (): number { return this.#committedSeq }

  /**
   * Decide, synchronously, how to store `record`: the returned operations put it (and the new
   * sequence number) and delete whatever the bounds drop. The index is updated at once, so the
   * next `take` sees this one even before the batch is on disk.
   */
  take (record: OutboxRecord): TakeResult {
    const value = encodeRecord(record)
    const seq = this.#seq + 1
    const key = messageKey(seq)
    const bytes = key.length + value.length
    const plan = this.#index.plan(bytes, record.takenAt, this.#limits)
    const ops: StoreOperation[] = []
    for (const drop of plan.drops) {
      this.#index.remove(drop.meta.seq)
      ops.push({ type: 'del', sublevel: this.#db, key: messageKey(drop.meta.seq) })
    }
    if (plan.refused !== null) return { ops, seq: null, refused: plan.refused, drops: plan.drops }
    this.#seq = seq
    this.#index.add({ seq, bytes, takenAt: record.takenAt })
    ops.push({ type: 'put', sublevel: this.#db, key, value })
    ops.push({ type: 'put', sublevel: this.#db, key: SEQUENCE_KEY, value: encodeSequence(seq) })
    return { ops, seq, refused: null, drops: plan.drops }
  }

  /** The batch holding message `seq` is on disk: it may be sent. */
  committed (seq: number): void {
    if (seq > this.#committedSeq) this.#committedSeq = seq
  }

  /** The batch holding message `seq` never reached the disk: forget it. */
  abandon (seq: number): void {
    this.#index.remove(seq)
  }

  /** True when message `seq` is still stored (not acknowledged, not dropped). */
  has (seq: number): boolean { return this.#index.has(seq) }

  /** Up to `limit` committed messages after `afterSeq`, in order, read from disk. */
  async read (afterSeq: number, limit: number): Promise<{ entries: OutboxEntry[], upTo: number }> {
    const upTo = this.#committedSeq
    if (afterSeq >= upTo) return { entries: [], upTo }
    const rows = await this.#db.iterator({ gt: messageKey(afterSeq), lte: messageKey(upTo), limit }).all()
    const entries: OutboxEntry[] = []
    for (const [key, value] of rows) {
      const seq = sequenceOf(key)
      if (seq === null) continue
      entries.push({ seq, ...decodeRecord(value) })
    }
    // Fewer rows than asked means everything up to `upTo` has been read.
    const last = entries[entries.length - 1]
    return { entries, upTo: rows.length < limit || last === undefined ? upTo : last.seq }
  }

  /** The cloud acknowledged message `seq`: remove it (the delete is batched). False when it was already gone. */
  acknowledge (seq: number): boolean {
    if (this.#index.remove(seq) === undefined) return false
    this.#pendingDeletes.push(messageKey(seq))
    this.#scheduleFlush()
    return true
  }

  /** Drop the messages older than the age bound at `now`; returns what was dropped. */
  async expire (now: number): Promise<EntryMeta[]> {
    const expired = this.#index.expired(now, this.#limits.maxAgeMs, EXPIRE_BATCH)
    if (expired.length === 0) return []
    for (const meta of expired) this.#index.remove(meta.seq)
    await this.#db.batch(expired.map((meta) => ({ type: 'del' as const, key: messageKey(meta.seq) })))
    return expired
  }

  /** Depth, bytes and oldest age at `now`. */
  stats (now: number): OutboxStats {
    const oldest = this.#index.oldest()
    return {
      messages: this.#index.depth,
      bytes: this.#index.bytes,
      oldestAgeSeconds: oldest === undefined ? null : Math.max(0, (now - oldest.takenAt) / 1000)
    }
  }

  /** Write the pending deletes now. */
  async flush (): Promise<void> {
    this.#flushing = this.#flushing.then(async () => { await this.#writeDeletes() })
    await this.#flushing
  }

  #scheduleFlush (): void {
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    setImmediate(() => {
      this.#flushScheduled = false
      this.flush().catch(this.#onWriteError)
    })
  }

  async #writeDeletes (): Promise<void> {
    if (this.#pendingDeletes.length === 0) return
    const keys = this.#pendingDeletes
    this.#pendingDeletes = []
    await this.#db.batch(keys.map((key) => ({ type: 'del' as const, key })))
  }
}

async function readSequence (db: Sublevel): Promise<number> {
  const stored = await db.get(SEQUENCE_KEY)
  let seq = stored !== undefined && stored.length === SEQ_VALUE_BYTES ? Number(stored.readBigUInt64BE(0)) : 0
  const [last] = await db.keys({ gte: MESSAGE_PREFIX, lt: MESSAGE_PREFIX_END, reverse: true, limit: 1 }).all()
  const lastSeq = last === undefined ? null : sequenceOf(last)
  if (lastSeq !== null && lastSeq > seq) seq = lastSeq
  return seq
}

function encodeSequence (seq: number): Buffer {
  const value = Buffer.alloc(SEQ_VALUE_BYTES)
  value.writeBigUInt64BE(BigInt(seq), 0)
  return value
}
