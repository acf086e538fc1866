/**
 * A bounded memory of recently seen keys: at most `size` keys, each for at most `ttlMs`.
 * Pure: time is passed in. Insertion order of the Map is the expiry order, so eviction is O(1).
 */
export class DedupeWindow {
  readonly #size: number
  readonly #ttlMs: number
  readonly #seen = new Map<string, number>()

  /** `size` 0 turns the window off: nothing is remembered, `has` is always false. */
  constructor (size: number, ttlMs: number) {
    this.#size = size
    this.#ttlMs = ttlMs
  }

  /** Keys currently remembered (expired ones may still count until the next `add` or `has`). */
  get size (): number {
    return this.#seen.size
  }

  /** True when `key` was added less than `ttlMs` ago and not evicted since. */
  has (key: string, now: number): boolean {
    this.#evict(now)
    const expiresAt = this.#seen.get(key)
    return expiresAt !== undefined && expiresAt > now
  }

  /** Remember `key` from `now`; adding it again restarts its time. */
  add (key: string, now: number): void {
    if (this.#size === 0) return
    this.#seen.delete(key)
    this.#seen.set(key, now + this.#ttlMs)
    this.#evict(now)
  }

  #evict (now: number): void {
    for (const [key, expiresAt] of this.#seen) {
      if (this.#seen.size <= this.#size && expiresAt > now) break
      this.#seen.delete(key)
    }
  }
}

/** The key of a message in a dedupe window: the same id on another topic is another message. */
export function dedupeKey (topic: string, id: string): string {
  return `${topic}\u0000${id}`
}
