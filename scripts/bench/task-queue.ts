/** W4 in a worker: an offline persistent subscriber's queue filled, then drained on reconnect. */
import { type MqttClient } from 'mqtt'
import { connectClient, endAll, nowMs } from './clients.js'
import { type QueueDrainTask, type QueueInitTask, type QueuePublishTask, type QueueResult } from './tasks.js'

interface Running<R> { start (at: number): Promise<R>, close (): Promise<void> }

const none: QueueResult = { count: 0, duplicates: 0, ms: 0, inOrder: true }

/** Subscribe a persistent session at QoS 1, then disconnect cleanly so the broker queues for it. */
export async function setupQueueInit (task: QueueInitTask): Promise<Running<QueueResult>> {
  const start = async (): Promise<QueueResult> => {
    const c = await connectClient(task.port, task.clientId, { clean: false })
    await c.subscribeAsync(task.topic, { qos: 1 })
    await c.endAsync()
    return none
  }
  return { start, close: async () => {} }
}

/** Publish `count` QoS 1 messages (sequence number first), `window` in flight; time to the last PUBACK. */
export async function setupQueuePublish (task: QueuePublishTask): Promise<Running<QueueResult>> {
  const client = await connectClient(task.port, task.clientId, { clean: true })
  const start = async (): Promise<QueueResult> => {
    const t0 = nowMs()
    let sent = 0
    let acked = 0
    await new Promise<void>((resolve, reject) => {
      const go = (): void => {
        while (sent < task.count && sent - acked < task.window) {
          const payload = Buffer.alloc(task.payloadBytes, 0x20)
          payload.write(`${task.batch}:${sent}`)
          sent++
          client.publish(task.topic, payload, { qos: 1 }, (err) => {
            if (err !== undefined && err !== null) {
              reject(err)
              return
            }
            acked++
            if (acked === task.count) resolve()
            else go()
          })
        }
      }
      go()
    })
    return { count: acked, duplicates: 0, ms: nowMs() - t0, inOrder: true }
  }
  return { start, close: () => endAll([client]) }
}

/** Reconnect the persistent session and receive until all expected arrived, or nothing more comes. */
export async function setupQueueDrain (task: QueueDrainTask): Promise<Running<QueueResult>> {
  let client: MqttClient | null = null
  const start = async (): Promise<QueueResult> => {
    const seen = new Set<number>()
    let duplicates = 0
    let last = -1
    let inOrder = true
    const t0 = nowMs()
    let lastAt = t0
    let resolveAll: () => void = () => {}
    const all = new Promise<void>((resolve) => { resolveAll = resolve })
    let stale = 0
    const onMessage = (_topic: string, payload: Buffer): void => {
      const [batch, seqText] = payload.toString('utf8', 0, 24).trim().split(':')
      if (batch !== task.batch) {
        // a message of an earlier batch, unacknowledged when that drain ended: resent [MQTT-4.4.0-1]
        stale++
        return
      }
      const seq = Number(seqText)
      if (seen.has(seq)) {
        duplicates++
        return
      }
      seen.add(seq)
      if (seq < last) inOrder = false
      last = seq
      lastAt = nowMs()
      if (seen.size >= task.expected) resolveAll()
    }
    client = await connectClient(task.port, task.clientId, { clean: false }, (c) => { c.on('message', onMessage) })
    const deadline = t0 + task.capMs
    while (seen.size < task.expected && nowMs() < deadline && nowMs() - lastAt < task.idleMs) {
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 100))])
    }
    return { count: seen.size, duplicates: duplicates + stale, ms: lastAt - t0, inOrder }
  }
  return { start, close: () => endAll(client === null ? [] : [client]) }
}
