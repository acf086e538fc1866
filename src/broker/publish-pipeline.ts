import { Packet } from './packet.js'
import { topicMatches } from '../auth/topic-filter.js'
import { type SessionStore } from '../store/session-store.js'
import { type StoreOperation } from '../store/types.js'
import { type AedesPacket } from './client-internals.js'
import { type DurableSink, type LocalMessage } from './local-port.js'

/** Where a message entered the hub. Messages from the bridge never go back to sinks. */
export type Origin = 'device' | 'hub' | 'bridge'

/** The broker side the pipeline drives. */
export interface PipelineBroker {
  counter: number
  id: string
  readonly mq: { emit (packet: AedesPacket, cb: (err?: Error) => void): void }
  emit (event: 'publish', packet: AedesPacket, client: unknown): boolean
}

/**
 * One message's way through the hub, in named steps:
 * `[stamp, plan (retained + session queues + sinks + inbound QoS 2 record), commit, emit]`.
 * For QoS 1 and 2 the commit is durable (fsync, group commit) and completes before the caller
 * acknowledges the publisher, so nothing a device saw acknowledged is lost.
 *
 * When live subscribers get it depends on what a crash before the fsync would do:
 * - a QoS 1 message that is not retained goes out live while it is being stored. If the hub dies
 *   first, its publisher was not acknowledged and sends it again: a duplicate, which QoS 1
 *   allows. Mosquitto forwards the same way, and the fsync stays out of the delivery latency;
 * - a QoS 2 message goes out only once stored: a resent one must not be delivered twice;
 * - a retained message goes out only once stored: its value becomes the retained one then, and a
 *   device subscribing in between gets it one way or the other (see `SessionStore.commit`);
 * - while LevelDB writes fail, nothing goes out before it is stored;
 * - the bridge's outbox (sinks) always takes it only once stored.
 * One publisher's messages go out in the order they came, across QoS levels.
 */
export class PublishPipeline {
  readonly #broker: PipelineBroker
  readonly #sessions: SessionStore
  readonly #sinks = new Set<DurableSink>()
  /** Per publisher, the last message still being stored: later ones wait for it, so order holds across QoS levels. */
  readonly #tails = new Map<string, Promise<unknown>>()

  constructor (broker: PipelineBroker, sessions: SessionStore) {
    this.#broker = broker
    this.#sessions = sessions
  }

  addSink (sink: DurableSink): () => void {
    this.#sinks.add(sink)
    return () => { this.#sinks.delete(sink) }
  }

  /** Store then emit one message; `inbound` is set for a client's QoS 2 PUBLISH, recorded in the same batch. */
  async publish (input: { topic: string, payload?: Buffer | string, qos?: number, retain?: boolean, messageId?: number | undefined }, options: { origin: Origin, clientId?: string | undefined, inboundQos2?: boolean, willOf?: string | undefined }): Promise<AedesPacket> {
    const packet = new Packet({ cmd: 'publish', topic: input.topic, payload: input.payload ?? Buffer.alloc(0), qos: input.qos ?? 0, retain: input.retain === true, dup: false }, this.#broker)
    if (typeof packet.payload === 'string') packet.payload = Buffer.from(packet.payload)
    if (options.clientId !== undefined) packet.clientId = options.clientId
    const plan = this.#sessions.planPublish(packet)
    const extra: StoreOperation[] = []
    const taken: Array<{ sink: DurableSink, message: LocalMessage }> = []
    if (options.origin !== 'bridge' && this.#sinks.size > 0) {
      const message: LocalMessage = { topic: packet.topic, payload: packet.payload, qos: packet.qos, retain: packet.retain }
      for (const sink of this.#sinks) {
        if (!sink.filters.some((f) => topicMatches(f, packet.topic))) continue
        for (const op of sink.take(message)) extra.push(op)
        taken.push({ sink, message })
      }
    }
    if (options.inboundQos2 === true && options.clientId !== undefined) {
      extra.push(this.#sessions.incomingOp(options.clientId, { ...packet, messageId: input.messageId ?? 0 }))
    }
    if (options.willOf !== undefined) {
      const op = this.#sessions.delWillOp(options.willOf)
      if (op !== null) extra.push(op)
    }
    const key = options.clientId ?? ''
    const before = this.#tails.get(key)
    if (before === undefined && plan.ops.length === 0 && extra.length === 0) {
      this.#emit(packet)
      return packet
    }
    // the write is queued now (group commit keeps it in order); the emit waits for the previous message of the same publisher
    const stored = this.#sessions.commit(plan, packet.qos > 0, extra)
    // batches complete in issue order, so the sinks learn of their messages in the order they took them
    const sunk = taken.length === 0 ? stored : stored.then(() => { for (const { sink, message } of taken) sink.committed(message) })
    let emitted: Promise<void>
    if (packet.qos === 1 && !packet.retain && !this.#sessions.failing) {
      if (before === undefined) {
        this.#emit(packet)
        emitted = Promise.resolve()
      } else emitted = before.then(() => { this.#emit(packet) })
    } else emitted = Promise.all([stored, before]).then(() => { this.#emit(packet) })
    const tail = emitted.catch(noop)
    this.#tails.set(key, tail)
    void tail.then(() => { if (this.#tails.get(key) === tail) this.#tails.delete(key) })
    await Promise.all([sunk, emitted])
    return packet
  }

  #emit (packet: AedesPacket): void {
    this.#broker.mq.emit(packet, noop)
    this.#broker.emit('publish', packet, null)
  }
}

function noop (): void {}
