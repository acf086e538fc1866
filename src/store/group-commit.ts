import { StoreError } from '../errors.js'
import { type Db, type StoreOperation, type Sublevel } from './types.js'

interface Waiter {
  /** The writes; for a range, the deletes it stands for (remembered as dirty if it fails). */
  readonly ops: readonly StoreOperation[]
  readonly durable: boolean
  /** Puts the memory side back as it was before these writes (publish plans). */
  readonly undo: (() => void) | undefined
  /** Written as one range clear of the sublevel instead of its `ops` (see {@link GroupCommit.deferRange}). */
  readonly range?: { readonly sublevel: Sublevel, readonly gte: string, lte: string }
  resolve (): void
  reject (err: Error): void
}

/** A deferred range clear still gathering keys; see {@link GroupCommit.deferRange}. */
export interface DeferredRange {
  /** Extend the range up to `lte`, a key above all it covers, adding the delete it stands for; false once it is on its way to LevelDB. */
  extend (lte: string, op: StoreOperation): boolean
}

/** Keys, per sublevel, whose bytes on disk may differ from what memory holds. */
export type DirtyKeys = Map<Sublevel, Set<string>>

/** How long a deferred write may wait for a batch to ride along with before it gets one of its own. */
export const DEFER_MS = 10

/**
 * Fewest keys a deferred range clears as a range: a clear costs about what a batch of its own
 * does (100 µs of CPU, an iterator), a delete inside a batch 5–10 µs. Shorter ranges go into
 * the batch as single deletes.
 */
export const RANGE_MIN = 32

/**
 * Group commit: every write issued during one turn of the event loop goes to LevelDB as one
 * batch, and while a batch is being written the next one gathers. A batch is written with
 * `sync: true` (fsync) when any write in it asked to be durable and the store is configured to
 * sync, so a QoS 1 acknowledgement costs a share of one fsync, not one fsync of its own.
 * Writes are applied and resolved in the order they were issued. Deferred writes (deletes after
 * PUBACK) start no batch of their own at once: they join the next one, or get one after
 * {@link DEFER_MS}.
 *
 * After a failed batch nothing more is written until {@link resume}: LevelDB may have left a
 * partial record in its log, and a later write that "succeeds" behind it can be unreadable when
 * the log is replayed (seen here on a full disk: acknowledged, then gone after a reopen). So the
 * handle must be closed and reopened first (store-recovery.ts). Meanwhile durable writes and
 * writes with an `undo` are refused (their callers must not acknowledge); a non-durable write
 * without one (a delete after PUBACK) is kept in memory only. Either way the keys are remembered
 * in {@link dirty}, so recovery can rewrite them from memory, which stays the truth.
 */
export class GroupCommit {
  readonly #db: Db
  readonly #fsync: boolean
  #pending: Waiter[] = []
  #writing = false
  #scheduled = false
  /** Some pending write asked to be written now (not only deferred ones). */
  #urgent = false
  #deferTimer: NodeJS.Timeout | null = null
  #onFailure: (err: Error) => void = () => {}
  /** Batches written and the writes they carried, for /status and the benchmarks. */
  batches = 0
  writes = 0
  /** True from a failed batch until recovery has reopened LevelDB and rewritten the dirty keys. */
  failing = false
  lastError: string | null = null
  /** Writes refused, or kept in memory only, while failing. */
  refused = 0
  /** Keys written by a failed batch or not written while failing. */
  dirty: DirtyKeys = new Map()

  constructor (db: Db, fsync: boolean) {
    this.#db = db
    this.#fsync = fsync
  }

  /** Called once each time a batch fails (the store then closes and reopens LevelDB). */
  onFailure (listener: (err: Error) => void): void { this.#onFailure = listener }

  /**
   * Queue operations; resolves once they are in LevelDB (on disk, when `durable` and fsync is on).
   * `undo` is called if they are refused or fail, before the promise rejects.
   */
  write (ops: readonly StoreOperation[], durable: boolean, undo?: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => { this.#enqueue({ ops, durable, undo, resolve, reject }, true) })
  }

  /**
   * Queue non-durable operations that need not be written soon (deletes after PUBACK): they go
   * with the next batch, or in one of their own after {@link DEFER_MS}. A batch costs about
   * 80 µs of CPU however small it is; one per PUBACK was the largest cost of draining a queue.
   * Nobody waits for them (memory is the truth meanwhile), so they come without a promise.
   */
  defer (ops: readonly StoreOperation[]): void {
    this.#enqueue({ ops, durable: false, undo: undefined, resolve: noop, reject: noop }, false)
  }

  /**
   * A deferred delete of every key of `sublevel` from `gte` up to a key that grows with
   * {@link DeferredRange.extend} while it waits: written as one range clear after the batch it
   * goes with, in place of one delete per key (a session acknowledging its queue in order), once
   * it covers {@link RANGE_MIN} keys; shorter, its deletes go into the batch. The caller
   * guarantees that no key in the range is live, and that none is written again.
   */
  deferRange (sublevel: Sublevel, gte: string, op: StoreOperation): DeferredRange {
    const ops = [op]
    const range = { sublevel, gte, lte: gte }
    const joined = this.#enqueue({ ops, durable: false, undo: undefined, range, resolve: noop, reject: noop }, false)
    return {
      // a group leaves `#pending` by replacing the array: once it has, the range is on its way
      extend: (lte, next) => {
        if (joined !== this.#pending) return false
        range.lte = lte
        ops.push(next)
        return true
      }
    }
  }

  /** The pending group the waiter joined; null when it was refused at once (writes failing). */
  #enqueue (waiter: Waiter, urgent: boolean): Waiter[] | null {
    if (this.failing) {
      this.#undo(waiter, false)
      this.#settle(waiter)
      return null
    }
    this.#pending.push(waiter)
    if (urgent) {
      this.#urgent = true
      this.#schedule()
    } else this.#deferred()
    return this.#pending
  }

  /** Resolves when everything queued so far has been written (or, while failing, given up). */
  async flush (): Promise<void> {
    if (this.#pending.length === 0 && !this.#writing) return
    await this.write([], false)
  }

  /** Writes work again (recovery reopened LevelDB and rewrote the dirty keys). */
  resume (): void {
    this.failing = false
  }

  /** The error a refused or failed write rejects with. */
  error (): StoreError {
    return new StoreError('MANGO_ERR_STORE_IO', `LevelDB writes are failing (${this.lastError ?? 'unknown error'}): not stored, nothing acknowledged; writes resume once the data directory accepts them again`)
  }

  #track (ops: readonly StoreOperation[]): void {
    for (const op of ops) {
      let keys = this.dirty.get(op.sublevel)
      if (keys === undefined) {
        keys = new Set()
        this.dirty.set(op.sublevel, keys)
      }
      keys.add(op.key)
    }
  }

  /** A write that will not (or did not) reach LevelDB: memory back, keys remembered. `attempted`: it was in the failed batch, so it may be on disk anyway. */
  #undo (w: Waiter, attempted: boolean): void {
    if (w.ops.length === 0) return
    this.refused++
    if (attempted || w.undo === undefined) this.#track(w.ops)
    w.undo?.()
  }

  #settle (w: Waiter): void {
    if (w.ops.length === 0 || (!w.durable && w.undo === undefined)) w.resolve()
    else w.reject(this.error())
  }

  /** Deferred writes are pending: a batch within DEFER_MS, unless one comes sooner. */
  #deferred (): void {
    if (this.#deferTimer !== null || this.#scheduled || this.#writing) return
    this.#deferTimer = setTimeout(() => {
      this.#deferTimer = null
      this.#run()
    }, DEFER_MS)
  }

  #schedule (): void {
    if (this.#scheduled || this.#writing) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#run()
    })
  }

  #run (): void {
    if (this.#writing || this.#pending.length === 0) return
    const group = this.#pending
    this.#pending = []
    this.#urgent = false
    if (this.#deferTimer !== null) {
      clearTimeout(this.#deferTimer)
      this.#deferTimer = null
    }
    if (this.failing) {
      for (let i = group.length - 1; i >= 0; i--) this.#undo(group[i] as Waiter, false)
      for (const w of group) this.#settle(w)
      return
    }
    this.#writing = true
    const ops: StoreOperation[] = []
    const ranges: Array<NonNullable<Waiter['range']>> = []
    let durable = false
    for (const w of group) {
      if (w.range !== undefined && w.ops.length >= RANGE_MIN) ranges.push(w.range)
      else for (const op of w.ops) ops.push(op)
      durable ||= w.durable
    }
    const done = (err?: Error): void => {
      this.#writing = false
      this.batches++
      this.writes += group.length
      if (err === undefined) {
        for (const w of group) w.resolve()
      } else {
        const first = !this.failing
        this.failing = true
        this.lastError = err.message
        const waiting = this.#pending
        this.#pending = []
        this.#urgent = false
        // memory back in reverse issue order (a later plan's rollback first), then settle in issue order
        for (let i = waiting.length - 1; i >= 0; i--) this.#undo(waiting[i] as Waiter, false)
        for (let i = group.length - 1; i >= 0; i--) this.#undo(group[i] as Waiter, true)
        for (const w of group) this.#settle(w)
        for (const w of waiting) this.#settle(w)
        if (first) this.#onFailure(err)
      }
      if (this.#urgent) this.#run()
      else if (this.#pending.length > 0) this.#deferred()
    }
    if (ops.length === 0 && ranges.length === 0) {
      queueMicrotask(() => done())
      return
    }
    // A chained batch: abstract-level's array form costs about 4× the main-thread time (about
    // 200 µs for 10 puts and 10 deletes, against 55), as classic-level reads every operation's
    // properties back from JavaScript objects in C++.
    let written: Promise<void> = Promise.resolve()
    let batch: ReturnType<Db['batch']> | undefined
    try {
      if (ops.length > 0) batch = this.#db.batch()
      if (batch !== undefined) {
        for (const op of ops) {
          if (op.type === 'put') batch.put(op.key, op.value, { sublevel: op.sublevel })
          else batch.del(op.key, { sublevel: op.sublevel })
        }
        written = batch.write({ sync: this.#fsync && durable } as Parameters<typeof batch.write>[0])
      }
      // range clears after the batch: their keys' puts were issued earlier, so they are in it or before it
      if (ranges.length > 0) written = written.then(async () => { for (const r of ranges) await r.sublevel.clear({ gte: r.gte, lte: r.lte }) })
    } catch (err) {
      // a closed database or an invalid key: the batch is given up like a failed write
      if (batch !== undefined) void batch.close().catch(noop)
      written = Promise.reject(err)
    }
    written.then(() => done(), (err: unknown) => done(err instanceof Error ? err : new Error(String(err))))
  }
}

function noop (): void {}
