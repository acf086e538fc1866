import { StoreError } from '../errors.js'
import { type Db, type StoreOperation, type Sublevel } from './types.js'

interface Waiter {
  readonly ops: readonly StoreOperation[]
  readonly durable: boolean
  /** Puts the memory side back as it was before these writes (publish plans). */
  readonly undo: (() => void) | undefined
  resolve (): void
  reject (err: Error): void
}

/** Keys, per sublevel, whose bytes on disk may differ from what memory holds. */
export type DirtyKeys = Map<Sublevel, Set<string>>

/**
 * Group commit: every write issued during one turn of the event loop goes to LevelDB as one
 * batch, and while a batch is being written the next one gathers. A batch is written with
 * `sync: true` (fsync) when any write in it asked to be durable and the store is configured to
 * sync, so a QoS 1 acknowledgement costs a share of one fsync, not one fsync of its own.
 * Writes are applied and resolved in the order they were issued.
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
    return new Promise<void>((resolve, reject) => {
      const waiter = { ops, durable, undo, resolve, reject }
      if (this.failing) {
        this.#undo(waiter, false)
        this.#settle(waiter)
        return
      }
      this.#pending.push(waiter)
      this.#schedule()
    })
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
    if (this.failing) {
      for (let i = group.length - 1; i >= 0; i--) this.#undo(group[i] as Waiter, false)
      for (const w of group) this.#settle(w)
      return
    }
    this.#writing = true
    const ops: StoreOperation[] = []
    let durable = false
    for (const w of group) {
      for (const op of w.ops) ops.push(op)
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
        // memory back in reverse issue order (a later plan's rollback first), then settle in issue order
        for (let i = waiting.length - 1; i >= 0; i--) this.#undo(waiting[i] as Waiter, false)
        for (let i = group.length - 1; i >= 0; i--) this.#undo(group[i] as Waiter, true)
        for (const w of group) this.#settle(w)
        for (const w of waiting) this.#settle(w)
        if (first) this.#onFailure(err)
      }
      if (this.#pending.length > 0) this.#run()
    }
    if (ops.length === 0) {
      queueMicrotask(() => done())
      return
    }
    // abstract-level types sublevel batch operations loosely; the shape is checked by StoreOperation
    const batch = this.#db.batch as unknown as (ops: StoreOperation[], options: { sync: boolean }) => Promise<void>
    batch.call(this.#db, ops, { sync: this.#fsync && durable })
      .then(() => done(), (err: unknown) => done(err instanceof Error ? err : new Error(String(err))))
  }
}
