/**
 * What the store does when a LevelDB write fails (disk full, read-only, I/O error): close the
 * handle at once (a write that "succeeds" behind a failed one can be lost when the log is
 * replayed, see group-commit.ts), then try to reopen it with backoff; once open, rewrite every
 * key a failed or refused write touched from memory (repair.ts) together with a synced probe, and
 * let writes through again. Nothing is acknowledged in between: durable writes are refused.
 */
import { type Logger } from '../log/logger.js'
import { type DirtyKeys, type GroupCommit } from './group-commit.js'
import { type Db, type StoreOperation, type Sublevel } from './types.js'

export interface RecoveryOptions {
  readonly db: Db
  readonly writer: GroupCommit
  readonly location: string
  readonly fsync: boolean
  /** Every sublevel handed out: closing the database closes them, so each is reopened with it. */
  readonly sublevels: () => Iterable<Sublevel>
  /** Operations rewriting the dirty keys from memory. */
  readonly repair: (dirty: DirtyKeys) => Promise<StoreOperation[]>
  /** A small write that proves LevelDB takes writes again. */
  readonly probe: () => StoreOperation
  readonly log: Logger
  /** First wait before reopening, doubled after each failed attempt up to `maxRetryMs`. */
  readonly retryMs: number
  readonly maxRetryMs: number
}

/** Repair rounds per attempt: writes refused while a repair batch is written make new dirty keys. */
const ROUNDS = 5

/** An error and its causes in one line ("Database failed to open: IO error: …: Read-only file system"). */
export function describeError (err: unknown): string {
  const parts: string[] = []
  let e: unknown = err
  for (let i = 0; i < 4 && e !== null && e !== undefined; i++) {
    const message = e instanceof Error ? e.message : String(e)
    if (!parts.includes(message)) parts.push(message)
    e = e instanceof Error ? e.cause : undefined
  }
  return parts.join(': ')
}

function merge (into: DirtyKeys, from: DirtyKeys): void {
  for (const [sublevel, keys] of from) {
    const set = into.get(sublevel)
    if (set === undefined) into.set(sublevel, keys)
    else for (const k of keys) set.add(k)
  }
}

export class StoreRecovery {
  readonly #o: RecoveryOptions
  #running: Promise<void> | null = null
  #stopped = false
  #wake: (() => void) | null = null
  /** Failed LevelDB episodes and reopen attempts, for /status. */
  episodes = 0
  attempts = 0
  failingSince: number | null = null

  constructor (options: RecoveryOptions) {
    this.#o = options
  }

  /** The writer reported a failed batch: close LevelDB and start reopening it (once per episode). */
  start (err: Error): void {
    if (this.#running !== null || this.#stopped) return
    this.episodes++
    this.failingSince = Date.now()
    this.#o.log.error({ err: describeError(err), dataDir: this.#o.location }, 'LevelDB write failed: QoS 1/2 publishes, subscriptions and session changes are refused (not acknowledged) until it works again; reopening the data directory with backoff')
    this.#running = this.#loop().finally(() => { this.#running = null })
  }

  /** Stop retrying (the hub is closing); resolves once no attempt is in progress. */
  async stop (): Promise<void> {
    this.#stopped = true
    this.#wake?.()
    await this.#running
  }

  async #close (): Promise<void> {
    try {
      await this.#o.db.close()
    } catch {
      // closing a handle that already failed can fail too; the next open attempt tells
    }
  }

  async #loop (): Promise<void> {
    await this.#close()
    let delay = this.#o.retryMs
    while (!this.#stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay)
        this.#wake = () => { clearTimeout(timer); resolve() }
      })
      this.#wake = null
      if (this.#stopped) return
      this.attempts++
      try {
        await this.#reopen()
        const downMs = Date.now() - (this.failingSince ?? Date.now())
        this.failingSince = null
        this.#o.log.warn({ dataDir: this.#o.location, downMs, attempts: this.attempts }, 'LevelDB takes writes again: store recovered, QoS 1/2 work accepted')
        return
      } catch (err) {
        const reason = describeError(err)
        this.#o.writer.lastError = reason
        if (this.attempts === 1 || this.attempts % 20 === 0) this.#o.log.warn({ err: reason, attempts: this.attempts, retryMs: delay }, 'LevelDB still failing; retrying')
        await this.#close()
        delay = Math.min(delay * 2, this.#o.maxRetryMs)
      }
    }
  }

  /** Open, reopen the sublevels, rewrite dirty keys from memory with a synced probe, resume writes. */
  async #reopen (): Promise<void> {
    const { db, writer } = this.#o
    await db.open()
    for (const sub of this.#o.sublevels()) if (sub.status !== 'open') await sub.open()
    const batch = db.batch as unknown as (ops: StoreOperation[], options: { sync: boolean }) => Promise<void>
    for (let round = 0; round < ROUNDS; round++) {
      const dirty = writer.dirty
      writer.dirty = new Map()
      try {
        const ops = await this.#o.repair(dirty)
        await batch.call(db, [...ops, this.#o.probe()], { sync: this.#o.fsync })
      } catch (err) {
        merge(writer.dirty, dirty)
        throw err
      }
      // checked and resumed in one synchronous step: nothing can be refused in between
      if (writer.dirty.size === 0) {
        writer.resume()
        return
      }
    }
    throw new Error(`keys kept changing while being repaired (${ROUNDS} rounds)`)
  }
}
