import { Qlobber } from 'qlobber'
import { QLOBBER_OPTIONS } from './retained-index.js'

/** A stored subscription of a persistent session. */
export interface SubscriptionRecord {
  readonly topic: string
  readonly qos: 0 | 1 | 2
  readonly rh?: number
  readonly rap?: boolean
  readonly nl?: boolean
}

const SEP = '\u0000'

/**
 * Subscriptions of persistent sessions: per client, and a topic trie to find who must get a
 * queued copy of a message. MQTT strings cannot contain U+0000 [MQTT-1.5.3-2], so it separates
 * client id and filter in the trie's values.
 */
export class SubscriptionIndex {
  readonly #byClient = new Map<string, Map<string, SubscriptionRecord>>()
  readonly #trie = new Qlobber<string>(QLOBBER_OPTIONS)

  get clientCount (): number { return this.#byClient.size }

  get subscriptionCount (): number {
    let n = 0
    for (const subs of this.#byClient.values()) n += subs.size
    return n
  }

  add (clientId: string, sub: SubscriptionRecord): void {
    let subs = this.#byClient.get(clientId)
    if (subs === undefined) {
      subs = new Map()
      this.#byClient.set(clientId, subs)
    }
    if (!subs.has(sub.topic)) this.#trie.add(sub.topic, clientId + SEP + sub.topic)
    subs.set(sub.topic, sub)
  }

  remove (clientId: string, topic: string): void {
    const subs = this.#byClient.get(clientId)
    if (subs === undefined || !subs.delete(topic)) return
    this.#trie.remove(topic, clientId + SEP + topic)
    if (subs.size === 0) this.#byClient.delete(clientId)
  }

  of (clientId: string): SubscriptionRecord[] {
    return [...(this.#byClient.get(clientId)?.values() ?? [])]
  }

  clients (): IterableIterator<string> { return this.#byClient.keys() }

  /**
   * For each persistent session with a matching subscription, the highest QoS granted among
   * its matching subscriptions [MQTT-3.3.5-1]. Filters starting with a wildcard do not match
   * `$` topics [MQTT-4.7.2-1].
   */
  matchByClient (topic: string): Map<string, { qos: 0 | 1 | 2, nl: boolean }> {
    const out = new Map<string, { qos: 0 | 1 | 2, nl: boolean }>()
    // no persistent session: nothing to split the topic for
    if (this.#byClient.size === 0) return out
    const dollar = topic.startsWith('$')
    for (const value of this.#trie.match(topic)) {
      const cut = value.indexOf(SEP)
      const clientId = value.slice(0, cut)
      const filter = value.slice(cut + 1)
      if (dollar && (filter.startsWith('+') || filter.startsWith('#'))) continue
      const sub = this.#byClient.get(clientId)?.get(filter)
      if (sub === undefined) continue
      const seen = out.get(clientId)
      if (seen === undefined) out.set(clientId, { qos: sub.qos, nl: sub.nl === true })
      else if (sub.qos > seen.qos) out.set(clientId, { qos: sub.qos, nl: seen.nl && sub.nl === true })
    }
    return out
  }
}
