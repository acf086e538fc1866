/**
 * Continuous load and its checker for the crash loop: publishers that number their messages and
 * keep a window in flight (what they got acknowledged is what the hub owes), and persistent
 * subscribers that record every copy they get. mqtt.js clients with automatic reconnect and
 * persistent sessions on both sides, as Mango's devices run.
 */
import mqtt, { type MqttClient } from 'mqtt'
import { type Test } from 'tap'

/** A publisher: `name:seq` payloads on one topic at one QoS. */
export interface LoadPublisher {
  readonly name: string
  readonly qos: 1 | 2
  /** Sequence numbers whose PUBACK / PUBCOMP arrived. */
  readonly acked: Set<number>
  /** Publishes mqtt.js gave up on, by error message (never acknowledged, so not owed). */
  readonly errors: ReadonlyMap<string, number>
  readonly client: MqttClient
  /** Stop sending; resolves once nothing is in flight any more (bounded). */
  stop (ms: number): Promise<void>
}

/** Every copy a subscriber received, in arrival order. */
export interface LoadSubscriber {
  readonly clientId: string
  readonly copies: Array<{ publisher: string, seq: number, qos: number }>
  readonly client: MqttClient
}

function reconnecting (t: Test, port: number, clientId: string): MqttClient {
  const client = mqtt.connect({ host: '127.0.0.1', port, clientId, clean: false, protocolVersion: 4, reconnectPeriod: 100, connectTimeout: 5000, keepalive: 30 })
  client.on('error', () => {
    // connection refused while the hub restarts: mqtt.js retries
  })
  t.teardown(() => { client.end(true) })
  return client
}

/** A persistent subscriber to `filter` at `qos`, recording copies from the first byte. */
export function loadSubscriber (t: Test, port: number, clientId: string, filter: string, qos: 1 | 2): Promise<LoadSubscriber> {
  const client = reconnecting(t, port, clientId)
  const copies: LoadSubscriber['copies'] = []
  client.on('message', (_topic, payload, packet) => {
    const [publisher, seq] = payload.toString().split(':')
    copies.push({ publisher: publisher ?? '', seq: Number(seq), qos: packet.qos })
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`${clientId}: no CONNACK within 10 s`)) }, 10_000)
    client.once('connect', () => {
      clearTimeout(timer)
      client.subscribeAsync(filter, { qos }).then(() => { resolve({ clientId, copies, client }) }, reject)
    })
  })
}

/** A publisher keeping `window` messages in flight until stopped; `onAck` after each acknowledgement. */
export function loadPublisher (t: Test, port: number, name: string, topic: string, qos: 1 | 2, window: number, onAck: () => void): LoadPublisher {
  const client = reconnecting(t, port, name)
  const acked = new Set<number>()
  let seq = 0
  let inFlight = 0
  let stopped = false
  let idle: (() => void) | null = null
  let waiting = false
  const errors = new Map<string, number>()
  // after a refusal (mqtt.js answers at once while it reconnects) wait for the next CONNACK
  const later = (): void => {
    if (waiting) return
    waiting = true
    client.once('connect', () => { waiting = false; pump() })
  }
  const pump = (): void => {
    while (!stopped && !waiting && inFlight < window) {
      const s = seq++
      inFlight++
      client.publish(topic, `${name}:${s}`, { qos }, (err) => {
        inFlight--
        if (err === undefined || err === null) {
          acked.add(s)
          onAck()
        } else {
          errors.set(err.message, (errors.get(err.message) ?? 0) + 1)
          later()
        }
        if (inFlight === 0) idle?.()
        if (!waiting) setImmediate(pump)
      })
    }
  }
  client.once('connect', pump)
  return {
    name,
    qos,
    acked,
    errors,
    client,
    stop: (ms) => {
      stopped = true
      if (inFlight === 0) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(`${name}: ${inFlight} messages still unacknowledged after ${ms} ms`)) }, ms)
        idle = () => { clearTimeout(timer); resolve() }
      })
    }
  }
}

/** What one subscriber got from one publisher, against what that publisher had acknowledged. */
export interface Tally { readonly acked: number, readonly received: number, readonly lost: number[], readonly duplicates: number, readonly outOfOrder: number }

/** Count lost, duplicated and out-of-order (first copies whose sequence number goes backwards) messages. Pure. */
export function tally (sub: LoadSubscriber, pub: LoadPublisher): Tally {
  const seen = new Set<number>()
  let duplicates = 0
  let outOfOrder = 0
  let last = -1
  for (const c of sub.copies) {
    if (c.publisher !== pub.name) continue
    if (seen.has(c.seq)) {
      duplicates++
      continue
    }
    seen.add(c.seq)
    if (c.seq < last) outOfOrder++
    last = Math.max(last, c.seq)
  }
  const lost = [...pub.acked].filter((s) => !seen.has(s)).sort((a, b) => a - b)
  return { acked: pub.acked.size, received: seen.size, lost, duplicates, outOfOrder }
}
