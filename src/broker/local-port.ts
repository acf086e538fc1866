import { type StoreOperation } from '../store/types.js'

/** A message as the hub's parts exchange it (no MQTT packet ids: those belong to a connection). */
export interface LocalMessage {
  readonly topic: string
  readonly payload: Buffer
  readonly qos: 0 | 1 | 2
  readonly retain: boolean
}

/**
 * A part that must take messages durably before the hub acknowledges them (the bridge outbox).
 * `take` runs synchronously for every message that a device or the hub itself publishes on a topic
 * matching one of `filters` (never for messages that came in through `LocalPort.publish`, so a
 * bridge cannot loop). The operations it returns are committed in the same LevelDB batch as the
 * message's queue and retained writes, and for QoS 1 and 2 before the publisher's PUBACK/PUBREC.
 */
export interface DurableSink {
  readonly filters: readonly string[]
  take (message: LocalMessage): StoreOperation[]
  /** Called after the batch holding the operations of `take` is on disk (in `take` order). */
  committed (message: LocalMessage): void
}

/** The hub as the bridge sees it: a way in, and a way to take messages out durably. */
export interface LocalPort {
  /** Publish into the local broker as the bridge: delivered to devices, queued for offline sessions, stored if retained. */
  publish (message: LocalMessage): Promise<void>
  /** Register a sink; returns the function that removes it. */
  addSink (sink: DurableSink): () => void
  /** The payload the hub retains for a topic, if any. */
  retained (topic: string): Buffer | undefined
}
