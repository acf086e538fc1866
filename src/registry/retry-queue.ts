/**
 * A keyed queue of writes retried until they succeed: one item per key (a newer `put` replaces a
 * pending one), sent one at a time in insertion order, with a growing delay after each failure.
 * Used for device rows, which must reach Supabase even when it is down when they are enrolled.
 */
export interface RetryQueueOptions<T> {
  /** Send one item; rejects when it must be tried again. */
  readonly send: (item: T, signal: AbortSignal | undefined) => Promise<void>
  /** Milliseconds to wait after the `failures`-th failure in a row. */
  readonly delay: (failures: number) => number
  /** Told about each attempt: `error` is null on success. */
  readonly onResult: (key: string, item: T, error: unknown) => void
}

/** See the module comment. */
export class RetryQueue<T> {
  readonly #options: RetryQueueOptions<T>
  readonly #pending = new Map<string, T>()
  #running = false
  #stopped = false
  #failures = 0
  #wake: (() => void) | null = null
  #timer: NodeJS.Timeout | null = null

  constructor (options: RetryQueueOptions<T>) {
    this.#options = options
  }

  /** Items not yet written. */
  get size (): number {
    return this.#pending.size
  }

  /** Queue `item` under `key` (replacing a pending one) and start sending if idle. */
  put (key: string, item: T): void {
    if (this.#stopped) return
    this.#pending.delete(key)
    this.#pending.set(key, item)
    if (!this.#running) void this.#run()
  }

  /** Stop retrying; pending items stay for `flush`. */
  stop (): void {
    this.#stopped = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#wake?.()
  }

  /** One last attempt for every pending item (after `stop`, at shutdown), bounded by `signal`. */
  async flush (signal: AbortSignal): Promise<void> {
    for (const [key, item] of [...this.#pending]) {
      if (signal.aborted) return
      await this.#attempt(key, item, signal)
    }
  }

  async #attempt (key: string, item: T, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await this.#options.send(item, signal)
    } catch (err) {
      this.#options.onResult(key, item, err)
      return false
    }
    // A newer put for the same key while this one was in flight must still be sent.
    if (this.#pending.get(key) === item) this.#pending.delete(key)
    this.#options.onResult(key, item, null)
    return true
  }

  async #run (): Promise<void> {
    this.#running = true
    try {
      while (!this.#stopped) {
        const next = this.#pending.entries().next()
        if (next.done === true) break
        const [key, item] = next.value
        if (await this.#attempt(key, item, undefined)) {
          this.#failures = 0
          continue
        }
        this.#failures++
        // Move the failed item to the back so one bad row cannot hold up the others.
        if (this.#pending.get(key) === item) {
          this.#pending.delete(key)
          this.#pending.set(key, item)
        }
        await this.#sleep(this.#options.delay(this.#failures))
      }
    } finally {
      this.#running = false
    }
  }

  #sleep (ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = () => {
        this.#wake = null
        resolve()
      }
      this.#timer = setTimeout(() => this.#wake?.(), ms)
      this.#timer.unref()
    })
  }
}
