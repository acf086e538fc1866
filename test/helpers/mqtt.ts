import { type Test } from 'tap'
import { type EventEmitter } from 'node:events'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { waitFor } from './wait.js'

/** Connect a real mqtt.js client to 127.0.0.1:port; ended at teardown. No automatic reconnect unless asked. */
export async function connect (t: Test, port: number, options: IClientOptions = {}, before?: (client: MqttClient) => void): Promise<MqttClient> {
  const client = mqtt.connect({ host: '127.0.0.1', port, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options })
  t.teardown(() => { client.end(true) })
  before?.(client)
  await Promise.race([
    waitFor(client as unknown as EventEmitter, 'connect', 6000, `CONNACK for ${options.clientId ?? 'client'}`),
    waitFor(client as unknown as EventEmitter, 'error', 6000).then(([err]) => { throw err })
  ])
  return client
}

/**
 * Connect and collect from the first packet on. A resumed session's queued messages can arrive in
 * the CONNACK's own TCP segment, and mqtt.js hands them to 'message' listeners (and acknowledges
 * them) before it emits 'connect': a collector attached after `connect()` resolves can miss them.
 */
export async function connectCollecting (t: Test, port: number, options: IClientOptions = {}): Promise<{ client: MqttClient, got: Collector }> {
  let got: Collector | undefined
  const client = await connect(t, port, options, (c) => { got = collect(c) })
  return { client, got: got as Collector }
}

/** Messages collected on one client. */
export interface Collector {
  readonly messages: Array<{ topic: string, payload: string, qos: number, retain: boolean }>
  next (n: number, ms?: number): Promise<Array<{ topic: string, payload: string, qos: number, retain: boolean }>>
}

/** Collect messages on a client; `next(n)` resolves once n have arrived (bounded). */
export function collect (client: MqttClient): Collector {
  const messages: Array<{ topic: string, payload: string, qos: number, retain: boolean }> = []
  const waiters: Array<{ n: number, resolve: () => void }> = []
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain })
    for (const w of [...waiters]) if (messages.length >= w.n) { waiters.splice(waiters.indexOf(w), 1); w.resolve() }
  })
  return {
    messages,
    async next (n: number, ms = 5000) {
      if (messages.length < n) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms with ${messages.length} of ${n} messages`)), ms)
          waiters.push({ n, resolve: () => { clearTimeout(timer); resolve() } })
        })
      }
      return messages.slice(0, n)
    }
  }
}
