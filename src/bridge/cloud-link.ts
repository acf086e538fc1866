/**
 * The connection to the cloud broker (mqtt.js): one attempt is
 * `[readTlsFiles, connect, subscribe, publishBirth]`; any failure ends the client and schedules the
 * next attempt with our own exponential backoff and jitter (mqtt.js reconnects are off).
 *
 * MQTT 5 first. A cloud that answers CONNECT with "unacceptable protocol version" (3.1.1 CONNACK
 * return code 1, which a 3.1.1-only broker must send for protocol level 5 [MQTT-3.1.2-2]) or
 * "Unsupported Protocol Version" (MQTT 5 reason code 0x84) is retried at once with MQTT 3.1.1, and
 * 3.1.1 is kept for the life of the bridge.
 */
import { readFile } from 'node:fs/promises'
import { ReasonCodes, connect, type IConnackPacket, type IPublishPacket, type ISubscriptionMap, type MqttClient } from 'mqtt'
import { type Logger } from '../log/logger.js'
import { backoffDelay, longBackoffDelay, type BackoffPolicy } from './backoff.js'
import { toCallback } from './callback-adapter.js'
import { clientOptions, cloudStatusPayload, type LinkSettings, type TlsMaterial } from './cloud-options.js'
import { BridgeFileError, CloudDisconnectError, SubscriptionRefusedError, classifyLinkError, type LinkFailure } from './link-errors.js'

/** A message sent to the cloud. */
export interface CloudMessage {
  readonly topic: string
  readonly payload: Buffer
  readonly qos: 0 | 1
  readonly retain: boolean
}

/** One established link; `publish` resolves on PUBACK (QoS 1) or once written (QoS 0). */
export interface LinkSession {
  readonly protocolVersion: 4 | 5
  /** Most unacknowledged QoS 1 publishes allowed: the configured window, lowered to the cloud's Receive Maximum. */
  readonly window: number
  publish (message: CloudMessage): Promise<void>
}

/** What the link needs and whom it tells. */
export interface CloudLinkOptions {
  readonly settings: LinkSettings
  readonly files: { readonly ca: string | null, readonly cert: string | null, readonly key: string | null }
  readonly subscriptions: ReadonlyArray<{ readonly filter: string, readonly qos: 0 | 1 }>
  readonly statusTopic: string
  readonly inflight: number
  readonly backoff: BackoffPolicy
  /** Where the subscriptions last granted are remembered (see `#subscribe`). */
  readonly memo: { load (): Promise<string | undefined>, save (value: string): Promise<void> }
  readonly log: Logger
  readonly random: () => number
  /** A message from the cloud; the PUBACK is sent only after this resolves. */
  onMessage (packet: IPublishPacket): Promise<void>
  /** The link is up: connected, subscribed, birth sent. */
  onUp (session: LinkSession): void
  /** The link is down or an attempt failed; the next attempt starts in `retryInMs`. */
  onOffline (failure: LinkFailure, retryInMs: number): void
}

/** A link up for this long resets the backoff; a shorter one keeps growing it (a flapping cloud is not hammered). */
const STABLE_MS = 30_000

/** The cloud link of one bridge. */
export class CloudLink {
  readonly #o: CloudLinkOptions
  #protocol: 4 | 5 = 5
  #attempt = 0
  #timer: NodeJS.Timeout | null = null
  /** The client of the attempt in progress or of the established link. */
  #client: MqttClient | null = null
  #up = false
  #upAt = 0
  #closing = false
  #forcedError: unknown = null

  constructor (options: CloudLinkOptions) {
    this.#o = options
  }

  /** MQTT protocol level in use (5 until the cloud refuses it). */
  get protocolVersion (): 4 | 5 { return this.#protocol }

  /** Start connecting. */
  start (): void {
    this.#schedule(0)
  }

  /** Drop the established link because of `err` (e.g. the local hub refused a message); it reconnects with backoff. */
  fail (err: unknown): void {
    const client = this.#client
    if (client === null) return
    this.#forcedError = err
    client.end(true)
  }

  /**
   * Stop: no more attempts; on an established link publish the retained `offline` status (a clean
   * DISCONNECT suppresses the will) and disconnect, within `deadlineMs`.
   */
  async close (deadlineMs: number): Promise<void> {
    this.#closing = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    const client = this.#client
    const wasUp = this.#up
    this.#client = null
    this.#up = false
    if (client === null) return
    if (wasUp) {
      const goodbye = (async () => {
        await client.publishAsync(this.#o.statusTopic, cloudStatusPayload('offline', new Date()), { qos: 1, retain: true })
        await client.endAsync()
      })()
      const outcome = await withDeadline(goodbye, deadlineMs)
      if (outcome !== 'done') this.#o.log.warn({ outcome }, 'bridge: cloud did not take the offline status before the close deadline')
    }
    client.end(true)
  }

  #schedule (delayMs: number): void {
    if (this.#closing) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#connect().catch((err: unknown) => {
        // Only a throwing onUp/onOffline listener gets here; the next attempt is already scheduled.
        this.#o.log.error({ err: err instanceof Error ? err.message : String(err) }, 'bridge: unexpected error in the link loop')
      })
    }, delayMs)
    this.#timer.unref()
  }

  async #connect (): Promise<void> {
    let lastError: unknown = null
    let closed = false
    let client: MqttClient | null = null
    try {
      const tls = await readTlsFiles(this.#o.files)
      if (this.#closing) return
      const protocol = this.#protocol
      const c = connect(this.#o.settings.url, clientOptions(this.#o.settings, tls, protocol, this.#o.statusTopic, new Date()))
      client = c
      this.#client = c
      c.on('error', (err) => { lastError = err })
      c.on('disconnect', (packet) => { lastError = new CloudDisconnectError(packet.reasonCode ?? 0, reasonName(packet.reasonCode)) })
      // Installed before CONNECT so that no close can go unnoticed: while the attempt runs it only
      // marks the attempt (checked after every await below); once up, it reports the lost link.
      c.on('close', () => {
        closed = true
        if (this.#client === c && this.#up) this.#lost(c, lastError)
      })
      c.handleMessage = toCallback((packet: IPublishPacket) => this.#o.onMessage(packet), (err) => { this.fail(err) })
      const connack = await connected(c, () => lastError)
      await this.#subscribe(c, connack, protocol)
      if (closed) throw lastError ?? new Error('connection closed while subscribing')
      if (this.#closing || this.#client !== c) throw new Error('bridge closed')
      c.publish(this.#o.statusTopic, cloudStatusPayload('online', new Date()), { qos: 1, retain: true }, (err) => {
        // A failed birth means the link closed, which the close handler reports.
        // mqtt.js passes null or undefined on success
        if (err !== undefined && err !== null) this.#o.log.debug({ err: err.message }, 'bridge: birth message not acknowledged')
      })
      this.#goUp(c, connack, protocol)
    } catch (err) {
      if (client !== null) {
        client.end(true)
        if (this.#client === client) this.#client = null
      }
      if (this.#closing) return
      const cause = this.#forcedError ?? err
      this.#forcedError = null
      this.#failed(classifyLinkError(cause))
    }
  }

  #goUp (client: MqttClient, connack: IConnackPacket, protocol: 4 | 5): void {
    this.#up = true
    this.#upAt = Date.now()
    const receiveMaximum = connack.properties?.receiveMaximum ?? 65535
    const window = Math.max(1, Math.min(this.#o.inflight, receiveMaximum))
    this.#o.onUp({
      protocolVersion: protocol,
      window,
      publish: async (message) => {
        await client.publishAsync(message.topic, message.payload, { qos: message.qos, retain: message.retain })
      }
    })
  }

  /** The established link closed. */
  #lost (client: MqttClient, lastError: unknown): void {
    this.#client = null
    this.#up = false
    client.end(true)
    if (this.#closing) return
    if (Date.now() - this.#upAt >= STABLE_MS) this.#attempt = 0
    const cause = this.#forcedError ?? lastError ?? new Error('connection closed by the cloud')
    this.#forcedError = null
    this.#failed(classifyLinkError(cause))
  }

  #failed (failure: LinkFailure): void {
    if (failure.kind === 'protocol' && this.#protocol === 5) {
      this.#protocol = 4
      this.#o.log.info('bridge: the cloud refused MQTT 5; using MQTT 3.1.1 (no No Local: echoes are dropped by envelope id)')
      this.#schedule(0)
      return
    }
    const delay = failure.retry === 'backoff'
      ? backoffDelay(this.#o.backoff, this.#attempt++, this.#o.random)
      : longBackoffDelay(this.#o.backoff, this.#o.random)
    this.#schedule(delay)
    this.#o.onOffline(failure.retry === 'now' ? { ...failure, retry: 'long' } : failure, delay)
  }

  /**
   * Subscribe the `in` filters. MQTT 5: No Local (our own publishes are not sent back),
   * Retain As Published (a retained message stays retained locally), Retain Handling 1 (retained
   * messages only when the subscription is new, so reconnects do not replay them).
   * MQTT 3.1.1 has none of these: when the cloud kept our session (session present) and it holds
   * exactly the subscriptions remembered from the last successful SUBACK, we do not subscribe again,
   * which would replay every retained message [MQTT-3.8.4-3].
   */
  async #subscribe (client: MqttClient, connack: IConnackPacket, protocol: 4 | 5): Promise<void> {
    const subs = this.#o.subscriptions
    if (subs.length === 0) return
    const memo = JSON.stringify({ url: this.#o.settings.url, clientId: this.#o.settings.clientId, subs })
    if (protocol === 4 && connack.sessionPresent && await this.#o.memo.load() === memo) return
    const map: ISubscriptionMap = {}
    for (const sub of subs) map[sub.filter] = protocol === 5 ? { qos: sub.qos, nl: true, rap: true, rh: 1 } : { qos: sub.qos }
    const granted = await new Promise<number[]>((resolve, reject) => {
      client.subscribe(map, (err, _grants, packet) => {
        const codes = packet?.granted.map(Number) ?? []
        const failed = err !== null && err !== undefined
        if (!failed && codes.length === 0) reject(new Error('SUBACK without return codes'))
        else if (failed && codes.length === 0) reject(err)
        else resolve(codes)
      })
    })
    const refused = granted.findIndex((code) => code >= 0x80)
    if (refused !== -1) throw new SubscriptionRefusedError(subs[refused]?.filter ?? '?', granted[refused] as number)
    await this.#o.memo.save(memo)
  }
}

/** Resolve with the CONNACK, or reject with the error that ended the connection first. */
async function connected (client: MqttClient, lastError: () => unknown): Promise<IConnackPacket> {
  return await new Promise((resolve, reject) => {
    const onConnect = (connack: IConnackPacket): void => {
      client.off('close', onClose)
      resolve(connack)
    }
    const onClose = (): void => {
      client.off('connect', onConnect)
      reject(lastError() ?? new Error('connection closed before CONNACK'))
    }
    client.once('connect', onConnect)
    client.once('close', onClose)
  })
}

function reasonName (code: number | undefined): string | undefined {
  return code === undefined ? undefined : (ReasonCodes as Record<number, string>)[code]
}

async function readTlsFiles (files: CloudLinkOptions['files']): Promise<TlsMaterial> {
  const read = async (key: 'ca' | 'cert' | 'key'): Promise<Buffer | undefined> => {
    const path = files[key]
    if (path === null) return undefined
    try {
      return await readFile(path)
    } catch (cause) {
      throw new BridgeFileError(key, path, { cause })
    }
  }
  const [ca, cert, key] = await Promise.all([read('ca'), read('cert'), read('key')])
  return { ...(ca !== undefined && { ca }), ...(cert !== undefined && { cert }), ...(key !== undefined && { key }) }
}

async function withDeadline (work: Promise<void>, ms: number): Promise<'done' | 'timeout' | 'failed'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => { resolve('timeout') }, ms) })
  try {
    return await Promise.race([work.then(() => 'done' as const, () => 'failed' as const), timeout])
  } finally {
    clearTimeout(timer)
  }
}
