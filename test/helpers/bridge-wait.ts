/**
 * Bounded waiting for bridge tests: for events (messages arriving) and for observable state
 * (a status field), never for time alone.
 */
import { type MqttClient } from 'mqtt'

/** Poll an observable condition until it holds; fails after `ms` naming `what`. */
export async function waitUntil (check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A message as a test client saw it. */
export interface Seen {
  readonly topic: string
  readonly payload: string
  readonly qos: number
  readonly retain: boolean
}

/** Everything a client receives, with bounded waits. */
export interface Collector {
  readonly messages: Seen[]
  /** The messages matching `pred`, in arrival order. */
  where (pred: (m: Seen) => boolean): Seen[]
  /** Resolve with the matching messages once at least `n` of them arrived. */
  atLeast (n: number, pred?: (m: Seen) => boolean, ms?: number): Promise<Seen[]>
}

/** Collect every message `client` receives (attach before messages can arrive). */
export function collect (client: MqttClient): Collector {
  const messages: Seen[] = []
  const waiters = new Set<(m: Seen) => void>()
  client.on('message', (topic, payload, packet) => {
    const seen = { topic, payload: payload.toString('utf8'), qos: packet.qos, retain: packet.retain }
    messages.push(seen)
    for (const wake of [...waiters]) wake(seen)
  })
  const where = (pred: (m: Seen) => boolean): Seen[] => messages.filter(pred)
  return {
    messages,
    where,
    atLeast: async (n, pred = () => true, ms = 20_000) => {
      let matched = where(pred).length
      if (matched >= n) return where(pred)
      await new Promise<void>((resolve, reject) => {
        // Each arrival is tested once, so waiting for 10,000 messages stays linear.
        const wake = (m: Seen): void => {
          if (pred(m)) matched += 1
          if (matched < n) return
          clearTimeout(timer)
          waiters.delete(wake)
          resolve()
        }
        const timer = setTimeout(() => {
          waiters.delete(wake)
          reject(new Error(`timed out after ${ms} ms with ${matched} of ${n} messages (${messages.length} in all)`))
        }, ms)
        waiters.add(wake)
      })
      return where(pred)
    }
  }
}

/** Messages on topics starting with `prefix`. */
export function under (prefix: string): (m: Seen) => boolean {
  return (m) => m.topic.startsWith(prefix)
}

/** Subscribe and wait for the SUBACK; fails on a refused subscription. */
export async function subscribe (client: MqttClient, filter: string, qos: 0 | 1 = 1): Promise<void> {
  const granted = await client.subscribeAsync(filter, { qos })
  if (granted.some((g) => g.qos === 128)) throw new Error(`subscription to ${filter} refused`)
}
