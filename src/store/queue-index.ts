/** One message waiting in a persistent session's queue (its bytes live in LevelDB). */
export interface QueueEntry {
  readonly counter: number
  readonly topic: string
  readonly qos: 1 | 2
  readonly bytes: number
  /** Packet id of the last send in this or an earlier connection; undefined before the first send. */
  messageId: number | undefined
  /** True once the subscriber sent PUBREC (QoS 2): the hub owes PUBREL, not PUBLISH. */
  pubrel: boolean
}

/**
 * A persistent session's outgoing queue, in the order messages were committed (a JS Map keeps
 * insertion order, and an iterator sees entries added while it runs: that is what lets a
 * reconnect drain everything, including what arrives during the drain, in order).
 */
export class ClientQueue {
  readonly entries = new Map<number, QueueEntry>()
  readonly byMessageId = new Map<number, number>()
  bytes = 0
  /** Set from CONNECT of a persistent session until its queue has been drained once. */
  drainOwner: symbol | null = null

  get draining (): boolean { return this.drainOwner !== null }

  add (entry: QueueEntry): void {
    this.entries.set(entry.counter, entry)
    this.bytes += entry.bytes
    if (entry.messageId !== undefined) this.byMessageId.set(entry.messageId, entry.counter)
  }

  delete (counter: number): QueueEntry | undefined {
    const entry = this.entries.get(counter)
    if (entry === undefined) return undefined
    this.entries.delete(counter)
    this.bytes -= entry.bytes
    if (entry.messageId !== undefined && this.byMessageId.get(entry.messageId) === counter) this.byMessageId.delete(entry.messageId)
    return entry
  }

  setMessageId (entry: QueueEntry, messageId: number): void {
    if (entry.messageId !== undefined && this.byMessageId.get(entry.messageId) === entry.counter) this.byMessageId.delete(entry.messageId)
    entry.messageId = messageId
    this.byMessageId.set(messageId, entry.counter)
  }

  /** Put back entries a failed write had dropped, keeping commit (counter) order. */
  restore (entries: readonly QueueEntry[]): void {
    if (entries.length === 0) return
    const all = [...this.entries.values()]
    for (const e of entries) if (!this.entries.has(e.counter)) all.push(e)
    all.sort((a, b) => a.counter - b.counter)
    this.entries.clear()
    this.byMessageId.clear()
    this.bytes = 0
    for (const e of all) this.add(e)
  }

  oldest (): QueueEntry | undefined {
    for (const entry of this.entries.values()) return entry
    return undefined
  }
}

/** Decide what a full queue gives up; pure, so the policy is unit-tested on its own. */
export function entriesToDrop (queue: { readonly entries: ReadonlyMap<number, QueueEntry>, readonly bytes: number }, incomingBytes: number, limits: { maxMessages: number, maxBytes: number, policy: 'drop-oldest' | 'drop-new' }): { dropNew: boolean, dropOld: QueueEntry[] } {
  const overCount = queue.entries.size + 1 - limits.maxMessages
  const overBytes = queue.bytes + incomingBytes - limits.maxBytes
  if (overCount <= 0 && overBytes <= 0) return { dropNew: false, dropOld: [] }
  if (limits.policy === 'drop-new' || incomingBytes > limits.maxBytes) return { dropNew: true, dropOld: [] }
  const dropOld: QueueEntry[] = []
  let count = 0
  let bytes = 0
  for (const entry of queue.entries.values()) {
    if (count >= overCount && bytes >= overBytes) break
    dropOld.push(entry)
    count++
    bytes += entry.bytes
  }
  return { dropNew: false, dropOld }
}
