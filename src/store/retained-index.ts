import { QlobberTrue } from 'qlobber'
import { type StoredPacket } from './codec.js'

export const QLOBBER_OPTIONS = { separator: '/', wildcard_one: '+', wildcard_some: '#', match_empty_levels: true } as const

/** Retained messages by topic, held in memory (they are few) and mirrored in LevelDB. */
export class RetainedIndex {
  readonly #byTopic = new Map<string, StoredPacket>()

  get size (): number { return this.#byTopic.size }

  set (packet: StoredPacket): void {
    if (packet.payload.length === 0) this.#byTopic.delete(packet.topic)
    else this.#byTopic.set(packet.topic, packet)
  }

  get (topic: string): StoredPacket | undefined { return this.#byTopic.get(topic) }

  /** Retained messages matching any of the filters, each once [MQTT-3.3.1-6], `$` topics only for filters that name them [MQTT-4.7.2-1]. */
  * match (filters: readonly string[]): Generator<StoredPacket> {
    const matchers = filters.map((f) => ({ dollar: f.startsWith('$'), m: new QlobberTrue(QLOBBER_OPTIONS).add(f) }))
    for (const packet of this.#byTopic.values()) {
      const dollar = packet.topic.startsWith('$')
      if (matchers.some(({ dollar: d, m }) => (!dollar || d) && m.test(packet.topic))) yield packet
    }
  }
}
