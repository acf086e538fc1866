/**
 * Hub to cloud: the `DurableSink` the hub calls for every local message matching the `out` filters.
 * `take` decides synchronously (dedupe, bounds) and returns the outbox writes for the hub's batch;
 * `committed` marks the message sendable once that batch is on disk.
 */
import { type DurableSink, type LocalMessage } from '../broker/local-port.js'
import { type StoreOperation } from '../store/types.js'
import { dedupeKey, type DedupeWindow } from './dedupe-window.js'
import { envelopeId } from './envelope.js'
import { type DropReason } from './outbox-index.js'
import { type Outbox } from './outbox.js'
import { forwardQos, hubStatusTopic, outFilters, type TopicRule } from './topics.js'

/** What the sink needs and whom it tells. */
export interface SinkOptions {
  readonly salonId: string
  readonly rules: readonly TopicRule[]
  readonly outbox: Outbox
  /** (topic, id) pairs already taken or sent: a device's redelivered publish is not forwarded twice. */
  readonly sent: DedupeWindow
  now (): number
  duplicate (topic: string): void
  /** Messages dropped from the outbox or refused by it (`stored` tells whether the new one was stored). */
  drops (counts: ReadonlyMap<DropReason, number>, stored: boolean): void
  /** A message is on disk and may be sent. */
  sendable (): void
}

/** The outbound sink of one bridge. */
export class OutboundSink implements DurableSink {
  readonly filters: readonly string[]
  readonly #o: SinkOptions
  readonly #statusTopic: string
  /** Taken, not yet committed, in take order, from `#head`. */
  #pending: Array<{ readonly message: LocalMessage, readonly seq: number }> = []
  #head = 0

  constructor (options: SinkOptions) {
    this.#o = options
    this.filters = outFilters(options.rules)
    this.#statusTopic = hubStatusTopic(options.salonId)
  }

  take (message: LocalMessage): StoreOperation[] {
    if (message.topic === this.#statusTopic) return []
    const qos = forwardQos(this.#o.rules, 'out', message.topic, message.qos)
    if (qos === null) return []
    const id = envelopeId(message.payload)
    const now = this.#o.now()
    const key = id === null ? null : dedupeKey(message.topic, id)
    if (key !== null && this.#o.sent.has(key, now)) {
      this.#o.duplicate(message.topic)
      return []
    }
    const result = this.#o.outbox.take({
      topic: message.topic, payload: message.payload, qos, retain: message.retain, takenAt: now, envelopeId: id
    })
    const counts = new Map<DropReason, number>()
    for (const drop of result.drops) counts.set(drop.reason, (counts.get(drop.reason) ?? 0) + 1)
    if (result.refused !== null) counts.set(result.refused, (counts.get(result.refused) ?? 0) + 1)
    this.#o.drops(counts, result.seq !== null)
    if (result.seq !== null) {
      this.#pending.push({ message, seq: result.seq })
      if (key !== null) this.#o.sent.add(key, now)
    }
    return result.ops
  }

  /**
   * The hub calls this with the same object it passed to `take`, in take order. Messages taken
   * before it and never committed belong to batches that failed: they are forgotten.
   */
  committed (message: LocalMessage): void {
    let at = this.#head
    while (at < this.#pending.length && this.#pending[at]?.message !== message) at++
    const entry = this.#pending[at]
    if (entry === undefined) return
    for (let i = this.#head; i < at; i++) this.#o.outbox.abandon((this.#pending[i] as { readonly seq: number }).seq)
    this.#head = at + 1
    if (this.#head === this.#pending.length) {
      this.#pending = []
      this.#head = 0
    } else if (this.#head > 1024) {
      this.#pending = this.#pending.slice(this.#head)
      this.#head = 0
    }
    this.#o.outbox.committed(entry.seq)
    this.#o.sendable()
  }
}
