/**
 * mqtt.js clients whose messages are collected from the first byte: a persistent session's
 * queue can arrive in the same TCP chunk as its CONNACK, before `await connect()` returns.
 */
import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt'
import { type Test } from 'tap'

/** A message as a test compares it. */
export interface Received { topic: string, payload: string, qos: number, retain: boolean }

/** A connected client, its CONNACK and everything it has received since before the CONNACK. */
export interface Session {
  readonly client: MqttClient
  readonly connack: IConnackPacket
  /** Messages as the application sees them (mqtt.js `message`: a QoS 2 message only at PUBREL). */
  readonly messages: Received[]
  /** Resolves the first `n` messages once that many arrived; rejects after `ms`. */
  next (n: number, ms?: number): Promise<Received[]>
  /** PUBLISH packets in the order they came off the wire (what the hub's ordering promises). */
  readonly wire: Received[]
  /** Resolves the first `n` PUBLISH packets once that many arrived; rejects after `ms`. */
  nextWire (n: number, ms?: number): Promise<Received[]>
  /** Resolves once the connection is closed (bounded). */
  closed (ms?: number): Promise<void>
  /** Errors mqtt.js emitted (a refused CONNACK, a reset). */
  readonly errors: Error[]
}

/** Open an mqtt.js connection without automatic reconnect (tcp by default); ended at teardown. */
export async function openSession (t: Test, options: IClientOptions & { port?: number, url?: string }): Promise<Session> {
  const { url, ...rest } = options
  const base: IClientOptions = { host: '127.0.0.1', protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...rest }
  const client = url === undefined ? mqtt.connect(base) : mqtt.connect(url, base)
  t.teardown(() => { client.end(true) })
  const app = collector()
  const wire = collector()
  const errors: Error[] = []
  client.on('error', (err) => { errors.push(err) })
  client.on('message', (topic, payload, p) => { app.push({ topic, payload: payload.toString(), qos: p.qos, retain: p.retain }) })
  client.on('packetreceive', (p) => {
    if (p.cmd === 'publish') wire.push({ topic: p.topic, payload: p.payload.toString(), qos: p.qos, retain: p.retain })
  })
  let closed = false
  client.once('close', () => { closed = true })
  const connack = await firstOf<IConnackPacket>(client, 6000, `CONNACK for ${options.clientId ?? 'client'}`)
  return {
    client,
    connack,
    messages: app.items,
    next: app.next,
    wire: wire.items,
    nextWire: wire.next,
    errors,
    async closed (ms = 5000) {
      if (!closed) await closeOf(client, ms, `close of ${options.clientId ?? 'client'}`)
    }
  }
}

function collector (): { items: Received[], push (m: Received): void, next (n: number, ms?: number): Promise<Received[]> } {
  const items: Received[] = []
  const waiters: Array<{ n: number, resolve: () => void }> = []
  return {
    items,
    push (m) {
      items.push(m)
      for (const w of [...waiters]) if (items.length >= w.n) { waiters.splice(waiters.indexOf(w), 1); w.resolve() }
    },
    async next (n, ms = 5000) {
      if (items.length < n) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms with ${items.length} of ${n} messages: ${JSON.stringify(items.map((m) => m.payload))}`)), ms)
          waiters.push({ n, resolve: () => { clearTimeout(timer); resolve() } })
        })
      }
      return items.slice(0, n)
    }
  }
}

/** Disconnect cleanly (DISCONNECT sent, socket closed). */
export async function disconnect (client: MqttClient): Promise<void> {
  await client.endAsync()
}

/** The first CONNACK error of a refused connection attempt (mqtt.js `error` event), bounded. */
export async function refusedConnect (t: Test, options: IClientOptions & { port: number }): Promise<{ code: number | undefined, message: string, closed: Promise<void> }> {
  const client = mqtt.connect({ host: '127.0.0.1', protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options })
  t.teardown(() => { client.end(true) })
  const closed = closeOf(client, 6000, 'the refused connection to close')
  closed.catch(() => {})
  let err: Error & { code?: number }
  try {
    await firstOf(client, 6000, 'a refused CONNACK')
    throw new Error('the connection was accepted')
  } catch (e) {
    if ((e as Error).message === 'the connection was accepted') throw e
    err = e as Error & { code?: number }
  }
  return { code: typeof err.code === 'number' ? err.code : undefined, message: err.message, closed }
}

/** Resolve on `close` (an `error` before it is expected here, not a failure), reject after `ms`. */
function closeOf (client: MqttClient, ms: number, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onClose = (): void => { clearTimeout(timer); resolve() }
    const timer = setTimeout(() => { client.off('close', onClose); reject(new Error(`timed out after ${ms} ms waiting for ${what}`)) }, ms)
    client.once('close', onClose)
  })
}

/** Resolve on `connect` (with the CONNACK), reject on `error` or after `ms`; leaves no timer or listener behind. */
function firstOf<T> (client: MqttClient, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onConnect = (connack: T): void => { cleanup(); resolve(connack) }
    const onError = (err: Error): void => { cleanup(); reject(err) }
    // mqtt.js emits `error` before `close` for a refused CONNACK: let that error win
    const onClose = (): void => { setImmediate(() => { cleanup(); reject(new Error(`connection closed before ${what}`)) }) }
    const timer = setTimeout(() => { cleanup(); reject(new Error(`timed out after ${ms} ms waiting for ${what}`)) }, ms)
    const cleanup = (): void => {
      clearTimeout(timer)
      client.off('connect', onConnect as never)
      client.off('error', onError)
      client.off('close', onClose)
    }
    client.on('connect', onConnect as never)
    client.on('error', onError)
    client.on('close', onClose)
  })
}

/** A connected mqtt.js client to 127.0.0.1:port (like `connect` of mqtt.ts, leaving no timer behind). */
export async function connectClient (t: Test, port: number, options: IClientOptions = {}): Promise<MqttClient> {
  return (await openSession(t, { port, ...options })).client
}
