import { type StoredPacket } from './codec.js'
import { type ClientQueue, type QueueEntry } from './queue-index.js'

/** One queued message as the drain sends it. */
export interface QueuedMessage {
  readonly entry: QueueEntry
  readonly packet: StoredPacket
}

/** What the reader needs from the store. */
export interface QueueSource {
  /** False once the session's queue was replaced (a clean session took the client id over). */
  current (): boolean
  /** The stored packets of these entries (undefined where a key is gone), after the writes issued so far. */
  read (entries: readonly QueueEntry[]): Promise<Array<StoredPacket | undefined>>
}

/**
 * Reads a reconnecting session's queue in commit order, in batches, including what is queued
 * while it runs. While the reader runs, the queue is marked draining and live delivery leaves
 * queued messages to it; the moment it finds nothing new it clears the mark, synchronously, so
 * a message queued later goes out live and nothing overtakes what waited [MQTT-4.6.0-2].
 */
export class QueueReader {
  readonly #queue: ClientQueue
  readonly #owner: symbol
  readonly #source: QueueSource
  /** A Map iterator sees entries added while it runs, but once it has reported its end it stays ended. */
  #entries: Iterator<QueueEntry>
  #ended = false
  readonly #taken = new Set<number>()

  constructor (queue: ClientQueue, owner: symbol, source: QueueSource) {
    this.#queue = queue
    this.#owner = owner
    this.#source = source
    this.#entries = queue.entries.values()
  }

  /** False once another connection took the session over, or its queue was discarded. */
  get current (): boolean { return this.#queue.drainOwner === this.#owner && this.#source.current() }

  /**
   * Up to `max` further messages; an empty array when the queue is drained (live delivery has
   * resumed), null when the drain must stop because the session is no longer this reader's.
   */
  async next (max: number): Promise<QueuedMessage[] | null> {
    for (;;) {
      if (!this.current) return null
      let batch = this.#take(max)
      if (batch.length === 0 && this.#ended) {
        // entries queued after the iterator ended: one fresh pass over the queue finds them
        this.#entries = this.#queue.entries.values()
        this.#ended = false
        batch = this.#take(max)
      }
      if (batch.length === 0) {
        this.#queue.drainOwner = null
        return []
      }
      const packets = await this.#source.read(batch)
      const out: QueuedMessage[] = []
      for (let i = 0; i < batch.length; i++) {
        const entry = batch[i] as QueueEntry
        const packet = packets[i]
        // acknowledged, dropped or replaced while it was read
        if (packet === undefined || this.#queue.entries.get(entry.counter) !== entry) continue
        out.push({ entry, packet })
      }
      if (out.length > 0) return out
    }
  }

  #take (max: number): QueueEntry[] {
    const batch: QueueEntry[] = []
    while (!this.#ended && batch.length < max) {
      const r = this.#entries.next()
      if (r.done === true) this.#ended = true
      else if (!this.#taken.has(r.value.counter)) {
        this.#taken.add(r.value.counter)
        batch.push(r.value)
      }
    }
    return batch
  }
}
