/** mqtt.js clients as the benchmark workers use them: loopback, TCP_NODELAY, no reconnect. */
import { type Socket } from 'node:net'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export function nowMs (): number {
  return performance.timeOrigin + performance.now()
}

function noDelay (client: MqttClient): void {
  const stream = client.stream as Partial<Socket> | undefined
  if (typeof stream?.setNoDelay === 'function') stream.setNoDelay(true)
}

/**
 * Connect and resolve on CONNACK; rejects on error, close or timeout. `beforeConnect` runs before
 * any packet is read: a broker sends a persistent session's queue right behind the CONNACK, in
 * the same read, before a listener attached after `connect` could see it.
 */
export async function connectClient (port: number, clientId: string, options: IClientOptions = {}, beforeConnect?: (client: MqttClient) => void): Promise<MqttClient> {
  const client = mqtt.connect({ host: '127.0.0.1', port, clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 60_000, keepalive: 120, ...options })
  noDelay(client)
  beforeConnect?.(client)
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => { cleanup(); client.end(true); reject(err) }
    const onError = (err: Error): void => { fail(new Error(`${clientId}: ${err.message}`)) }
    const onClose = (): void => { fail(new Error(`${clientId}: closed before CONNACK`)) }
    const onConnect = (): void => { cleanup(); resolve() }
    const cleanup = (): void => { client.off('error', onError); client.off('close', onClose); client.off('connect', onConnect) }
    client.on('error', onError)
    client.on('close', onClose)
    client.on('connect', onConnect)
  })
  noDelay(client)
  return client
}

/** End clients without waiting for in-flight acknowledgements. */
export async function endAll (clients: readonly MqttClient[]): Promise<void> {
  await Promise.all(clients.map((c) => new Promise<void>((resolve) => { c.end(true, {}, () => { resolve() }) })))
}

/** A payload of exactly `bytes` bytes that starts with a JSON header `{"p":…,"s":…,"t":…}` and is padded with spaces. */
export function stampedPayload (bytes: number, pub: number, seq: number, t: number): Buffer {
  const head = Buffer.from(JSON.stringify({ p: pub, s: seq, t }))
  const out = Buffer.alloc(Math.max(bytes, head.length), 0x20)
  head.copy(out)
  return out
}

/** Read the header of a `stampedPayload`. */
export function readStamp (payload: Buffer): { p: number, s: number, t: number } {
  const end = payload.indexOf(0x7d) // '}'
  return JSON.parse(payload.toString('utf8', 0, end + 1)) as { p: number, s: number, t: number }
}
