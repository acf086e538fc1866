/**
 * Real mqtt.js devices for the over-the-wire auth tests: connect with a device's credentials,
 * read raw SUBACK codes, watch a connection for closes, wait for a message by predicate, and
 * build the seed's envelope. Every wait is bounded.
 */
import { type Test } from 'tap'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { type IConnackPacket, type ISubackPacket } from 'mqtt-packet'
import { createMessage, encodeMessage } from '../../src/envelope/index.js'
import { type DeviceIdentity } from '../../src/auth/types.js'
import { type Enrolled } from './auth-wire-hub.js'

/** SUBACK return code of a refused subscription [MQTT-3.9.3]. */
export const FAILURE = 0x80

/** The CONNECT fields of an enrolled device (seed "Security": username = device id, client id = `${type}-${id}`). */
export function credentials (device: Enrolled): { clientId: string, username: string, password: string } {
  return { clientId: device.clientId, username: device.deviceId, password: device.token }
}

/** A connected client and how many times its connection closed since. */
export interface Device {
  readonly client: MqttClient
  /** Times the connection closed (a forbidden publish must never close it). */
  closes (): number
  readonly inbox: Inbox
  /** The CONNACK's session-present flag [MQTT-3.2.2-2]. */
  readonly sessionPresent: boolean
}

/** Connect an mqtt.js client (MQTT 3.1.1) and wait for CONNACK 0; ended at teardown. */
export async function connectWith (t: Test, port: number, options: IClientOptions): Promise<Device> {
  const client = mqtt.connect({ host: '127.0.0.1', port, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options })
  t.teardown(() => { client.end(true) })
  let closes = 0
  client.on('close', () => { closes++ })
  const inbox = inboxOf(client)
  const sessionPresent = await new Promise<boolean>((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no CONNACK for ${options.clientId ?? 'client'} within 6000 ms`)) }, 6000)
    const onConnect = (connack: IConnackPacket): void => { cleanup(); resolve(connack.sessionPresent) }
    const onError = (err: Error): void => { cleanup(); reject(err) }
    const cleanup = (): void => { clearTimeout(timer); client.off('connect', onConnect); client.off('error', onError) }
    client.on('connect', onConnect)
    client.on('error', onError)
  })
  return { client, closes: () => closes, inbox, sessionPresent }
}

/** Connect as an enrolled device. */
export async function connectDevice (t: Test, port: number, device: Enrolled, options: IClientOptions = {}): Promise<Device> {
  return connectWith(t, port, { ...credentials(device), ...options })
}

/** The outcome of a refused CONNECT: the CONNACK return code, when the answer came, and the close of the socket. */
export interface Refusal {
  readonly code: number | undefined
  /** Milliseconds from the start of the attempt to the CONNACK. */
  readonly ms: number
  /** Resolves when the hub has closed the connection (bounded). */
  readonly closed: Promise<void>
}

/** Attempt a CONNECT that the hub must refuse; rejects if it is accepted or nothing comes within `ms`. */
export async function refused (t: Test, port: number, options: IClientOptions, ms = 15000): Promise<Refusal> {
  const started = Date.now()
  const client = mqtt.connect({ host: '127.0.0.1', port, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: ms, ...options })
  t.teardown(() => { client.end(true) })
  const closed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the hub did not close the refused connection within 6000 ms of the attempt')), ms + 6000)
    client.once('close', () => { clearTimeout(timer); resolve() })
  })
  closed.catch(() => {})
  const code = await new Promise<number | undefined>((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no CONNACK within ${ms} ms`)) }, ms)
    const onConnect = (): void => { cleanup(); reject(new Error(`the hub accepted ${options.clientId ?? 'the client'} (CONNACK 0)`)) }
    const onError = (err: Error & { code?: unknown }): void => { cleanup(); resolve(typeof err.code === 'number' ? err.code : undefined) }
    const cleanup = (): void => { clearTimeout(timer); client.off('connect', onConnect); client.off('error', onError) }
    client.on('connect', onConnect)
    client.on('error', onError)
  })
  return { code, ms: Date.now() - started, closed }
}

/** Subscribe to `filters` in one SUBSCRIBE and resolve the SUBACK return codes, in order (0x80 = refused). */
export function suback (client: MqttClient, filters: readonly string[], qos: 0 | 1 | 2 = 1, ms = 5000): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no SUBACK within ${ms} ms`)), ms)
    const wanted = Object.fromEntries(filters.map((f) => [f, { qos }]))
    client.subscribe(wanted, (err, _granted, packet?: ISubackPacket) => {
      clearTimeout(timer)
      const answer = packet ?? (err as (Error & { packet?: ISubackPacket }) | null)?.packet
      if (answer === undefined) {
        reject(err ?? new Error('no SUBACK packet'))
        return
      }
      resolve((answer.granted as ReadonlyArray<number | { qos: number }>).map((g) => typeof g === 'number' ? g : g.qos))
    })
  })
}

/** One received message. */
export interface Received { readonly topic: string, readonly payload: Buffer, readonly qos: number, readonly retain: boolean }

/** What a client has received, and a bounded wait for a message by predicate. */
export interface Inbox {
  readonly messages: Received[]
  /** Resolve the first message (already received or to come) matching `match`, or reject after `ms`. */
  until (match: (m: Received) => boolean, ms?: number, what?: string): Promise<Received>
}

/** Record every message a client receives. */
export function inboxOf (client: MqttClient): Inbox {
  const messages: Received[] = []
  const waiters = new Set<() => void>()
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload, qos: packet.qos, retain: packet.retain })
    for (const w of [...waiters]) w()
  })
  return {
    messages,
    until (match, ms = 5000, what = 'a message') {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = messages.find(match)
          if (found === undefined) return false
          clearTimeout(timer)
          waiters.delete(check)
          resolve(found)
          return true
        }
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`timed out after ${ms} ms waiting for ${what}; received ${messages.map((m) => m.topic).join(', ') || 'nothing'}`)) }, ms)
        if (!check()) waiters.add(check)
      })
    }
  }
}

/** The seed's envelope around `payload`, sent by `source`, with a chosen id so a test can find it. */
export function envelope (source: DeviceIdentity, id: string, payload: unknown = { note: 'test' }): Buffer {
  return encodeMessage(createMessage(source, payload, { id }))
}

/** The envelope `id` of a received message, or undefined when it is not an envelope. */
export function envelopeId (message: Received): string | undefined {
  try {
    const parsed = JSON.parse(message.payload.toString('utf8')) as { id?: unknown }
    return typeof parsed.id === 'string' ? parsed.id : undefined
  } catch {
    return undefined
  }
}
