/**
 * Sends the outbox to the cloud in order with QoS 1 pipelining: up to `session.window` publishes
 * unacknowledged at once, each deleted from the outbox on its PUBACK (never before: nanomq#2432).
 * Messages are read from disk in chunks ahead of the window. Every new link starts again from the
 * head of the outbox, so whatever was in flight when a link died is sent again, in order.
 */
import { type LinkSession } from './cloud-link.js'
import { type Outbox, type OutboxEntry } from './outbox.js'

/** What the drainer reports. */
export interface DrainEvents {
  /** Just before `entry` is written to the cloud (the bridge remembers its envelope id). */
  sending (entry: OutboxEntry): void
  /** The cloud acknowledged `entry`; `removed` is false when a bound had already dropped it. */
  sent (entry: OutboxEntry, removed: boolean): void
  /** The cloud answered `entry` with a failure reason code (MQTT 5 PUBACK 0x80 or above): it is dropped. */
  refused (entry: OutboxEntry, err: Error): void
  /** The outbox could not be read. */
  readError (err: unknown): void
}

const READ_CHUNK = 512

interface Run {
  readonly session: LinkSession
  cursor: number
  inFlight: number
  buffer: OutboxEntry[]
  next: number
  pumping: boolean
  /** A kick arrived while pumping: pump once more when done. */
  again: boolean
}

/** The drain loop of one bridge. */
export class Drainer {
  readonly #outbox: Outbox
  readonly #events: DrainEvents
  #run: Run | null = null

  constructor (outbox: Outbox, events: DrainEvents) {
    this.#outbox = outbox
    this.#events = events
  }

  /** Messages sent and not yet acknowledged on the current link. */
  get inFlight (): number { return this.#run?.inFlight ?? 0 }

  /** A link is up: send from the head of the outbox. */
  start (session: LinkSession): void {
    this.#run = { session, cursor: 0, inFlight: 0, buffer: [], next: 0, pumping: false, again: false }
    this.kick()
  }

  /** The link is down: stop sending; callbacks of the old link are ignored except acknowledgements. */
  stop (): void {
    this.#run = null
  }

  /** New committed messages may be waiting, or the window has room. */
  kick (): void {
    const run = this.#run
    if (run === null) return
    if (run.pumping) {
      run.again = true
      return
    }
    run.pumping = true
    run.again = false
    this.#pump(run).catch((err: unknown) => { this.#events.readError(err) }).finally(() => {
      run.pumping = false
      if (run.again) this.kick()
    })
  }

  async #pump (run: Run): Promise<void> {
    // Each turn either sends, reads a chunk, or stops; reads advance the cursor, so the loop ends.
    while (this.#run === run && run.inFlight < run.session.window) {
      const entry = run.buffer[run.next]
      if (entry !== undefined) {
        run.next += 1
        if (this.#outbox.has(entry.seq)) this.#send(run, entry)
        continue
      }
      if (run.cursor >= this.#outbox.committedSeq) return
      const { entries, upTo } = await this.#outbox.read(run.cursor, READ_CHUNK)
      if (this.#run !== run) return
      run.buffer = entries
      run.next = 0
      run.cursor = upTo
    }
  }

  #send (run: Run, entry: OutboxEntry): void {
    run.inFlight += 1
    this.#events.sending(entry)
    run.session.publish({ topic: entry.topic, payload: entry.payload, qos: entry.qos, retain: entry.retain }).then(() => {
      // A PUBACK is an acknowledgement whichever link carried it.
      this.#events.sent(entry, this.#outbox.acknowledge(entry.seq))
      this.#settled(run)
    }, (err: unknown) => {
      if (this.#run === run && isRefusal(err)) {
        this.#outbox.acknowledge(entry.seq)
        this.#events.refused(entry, err as Error)
      }
      // Any other failure means the link closed: the next link sends the message again.
      this.#settled(run)
    })
  }

  #settled (run: Run): void {
    run.inFlight -= 1
    if (this.#run === run) this.kick()
  }
}

/** An MQTT 5 PUBACK with a failure reason code (mqtt.js `ErrorWithReasonCode`, code 0x80 or above). */
function isRefusal (err: unknown): boolean {
  const code: unknown = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  return typeof code === 'number' && code >= 0x80
}
