/**
 * W2 and W3 in a worker: publishers that keep a fixed window of messages in flight (until
 * PUBACK/PUBCOMP at QoS 1 and 2; until the paired subscriber has it at QoS 0, which has no
 * acknowledgement) and subscribers that count what arrives inside the measured window.
 */
import { type MqttClient } from 'mqtt'
import { connectClient, endAll, nowMs } from './clients.js'
import { type CountResult, type FanoutPubTask, type FanoutSubTask, type PairsTask } from './tasks.js'

/** A QoS 0 window with nothing arriving for this long counts its messages lost and moves on. */
const QOS0_STALL_MS = 1000

interface Running<R> { start (at: number): Promise<R>, close (): Promise<void> }

/** Publish while `open()`, keeping `window` in flight; `inFlight` says how many are outstanding. */
function pump (client: MqttClient, topic: string, qos: 0 | 1 | 2, payload: Buffer, window: number, state: { sent: number, acked: number, inFlight: () => number, open: () => boolean }): () => void {
  let pumping = false
  const go = (): void => {
    if (pumping) return
    pumping = true
    while (state.open() && state.inFlight() < window) {
      state.sent++
      client.publish(topic, payload, { qos }, (err) => {
        if (err === undefined || err === null) state.acked++
        if (qos > 0) go()
      })
    }
    pumping = false
  }
  return go
}

const sleepUntil = (t: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - nowMs())))

export async function setupPairs (task: PairsTask): Promise<Running<CountResult>> {
  const clients: MqttClient[] = []
  const payload = Buffer.alloc(task.payloadBytes, 0x61)
  const pairs: Array<{ pub: MqttClient, sub: MqttClient, topic: string, received: number, counted: number, lost: number, lastArrival: number }> = []
  for (const p of task.pairs) {
    const sub = await connectClient(task.port, p.sub, { clean: true })
    clients.push(sub)
    await sub.subscribeAsync(p.topic, { qos: task.qos })
    const pub = await connectClient(task.port, p.pub, { clean: true })
    clients.push(pub)
    pairs.push({ pub, sub, topic: p.topic, received: 0, counted: 0, lost: 0, lastArrival: 0 })
  }
  const start = async (at: number): Promise<CountResult> => {
    const from = at + task.warmupMs
    const to = from + task.durationMs
    await sleepUntil(at)
    const stalls: NodeJS.Timeout[] = []
    const states: Array<{ sent: number }> = []
    for (const pair of pairs) {
      const state = {
        sent: 0,
        acked: 0,
        inFlight: () => task.qos === 0 ? state.sent - pair.received - pair.lost : state.sent - state.acked,
        open: () => nowMs() < to
      }
      const go = pump(pair.pub, pair.topic, task.qos, payload, task.window, state)
      pair.sub.on('message', () => {
        const t = nowMs()
        pair.received++
        pair.lastArrival = t
        if (t >= from && t < to) pair.counted++
        if (task.qos === 0) go()
      })
      if (task.qos === 0) {
        stalls.push(setInterval(() => {
          if (state.inFlight() >= task.window && nowMs() - pair.lastArrival > QOS0_STALL_MS) {
            pair.lost += state.inFlight()
            go()
          }
        }, 250))
      }
      states.push(state)
      pair.lastArrival = nowMs()
      go()
    }
    await sleepUntil(to)
    for (const s of stalls) clearInterval(s)
    return { received: pairs.reduce((n, p) => n + p.counted, 0), sent: states.reduce((n, s) => n + s.sent, 0), windowMs: task.durationMs, lost: pairs.reduce((n, p) => n + p.lost, 0) }
  }
  return { start, close: () => endAll(clients) }
}

export async function setupFanoutPub (task: FanoutPubTask): Promise<Running<CountResult>> {
  const client = await connectClient(task.port, task.clientId, { clean: true })
  const payload = Buffer.alloc(task.payloadBytes, 0x61)
  const start = async (at: number): Promise<CountResult> => {
    const to = at + task.warmupMs + task.durationMs
    await sleepUntil(at)
    const state = { sent: 0, acked: 0, inFlight: () => state.sent - state.acked, open: () => nowMs() < to }
    pump(client, task.topic, task.qos, payload, task.window, state)()
    await sleepUntil(to)
    return { received: 0, sent: state.sent, windowMs: task.durationMs, lost: 0 }
  }
  return { start, close: () => endAll([client]) }
}

export async function setupFanoutSub (task: FanoutSubTask): Promise<Running<CountResult>> {
  const clients: MqttClient[] = []
  let from = Infinity
  let to = -Infinity
  let counted = 0
  for (const id of task.clientIds) {
    const c = await connectClient(task.port, id, { clean: true })
    clients.push(c)
    c.on('message', () => {
      const t = nowMs()
      if (t >= from && t < to) counted++
    })
    await c.subscribeAsync(task.topic, { qos: task.qos })
  }
  const start = async (at: number): Promise<CountResult> => {
    from = at + task.warmupMs
    to = from + task.durationMs
    await sleepUntil(to)
    return { received: counted, sent: 0, windowMs: task.durationMs, lost: 0 }
  }
  return { start, close: () => endAll(clients) }
}
