import { type Db, type StoreOperation } from './types.js'

interface Waiter {
  readonly ops: readonly StoreOperation[]
  readonly durable: boolean
  resolve (): void
  reject (err: Error): void
}

/**
 * Group commit: every write issued during one turn of the event loop goes to LevelDB as one
 * batch, and while a batch is being written the next one gathers. A batch is written with
 * `sync: true` (fsync) when any write in it asked to be durable and the store is configured to
 * sync, so a QoS 1 acknowledgement costs a share of one fsync, not one fsync of its own.
 * Writes are applied and resolved in the order they were issued.
 */
export class GroupCommit {
  readonly #db: Db
  readonly #fsync: boolean
  #pending: Waiter[] = []
  #writing = false
  #scheduled = false
  /** Batches written and the writes they carried, for /status and the benchmarks. */
  batches = 0
  writes = 0
  /** True from a failed batch until the next one succeeds. */
  failing = false
  lastError: string | null = null

  constructor (db: Db, fsync: boolean) {
    this.#db = db
    this.#fsync = fsync
  }

  /** Queue operations; resolves once they are in LevelDB (on disk, when `durable` and fsync is on). */
  write (ops: readonly StoreOperation[], durable: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ ops, durable, resolve, reject })
      this.#schedule()
    })
  }

  /** Resolves when everything queued so far has been written. */
  async flush (): Promise<void> {
    if (this.#pending.length === 0 && !this.#writing) return
    await this.write([], false)
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
      if (err === undefined) this.failing = false
      else {
        this.failing = true
        this.lastError = err.message
      }
      for (const w of group) {
        if (err === undefined) w.resolve()
        else w.reject(err)
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
