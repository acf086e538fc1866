/**
 * The cloud bridge: `createBridge(...)` wires the outbox, the outbound sink, the drain loop, the
 * inbound handler and the cloud link, and reports one status. Start-up is
 * `[openOutbox, registerSink, startLink, startSweep]`; `close()` undoes it in reverse, once.
 */
import { EventEmitter } from 'node:events'
import { type LocalPort } from '../broker/local-port.js'
import { type BridgeConfig } from '../config/sections/bridge.js'
import { ConfigError } from '../errors.js'
import { type Logger } from '../log/logger.js'
import { type Metrics } from '../metrics/metrics.js'
import { type Sublevel } from '../store/types.js'
import { registerBridgeMetrics, type BridgeCounters } from './bridge-metrics.js'
import { CloudLink, type LinkSession } from './cloud-link.js'
import { linkSettings } from './cloud-options.js'
import { DedupeWindow, dedupeKey } from './dedupe-window.js'
import { Drainer } from './drain.js'
import { createInbound } from './inbound.js'
import { operatorMustAct, type LinkFailure } from './link-errors.js'
import { OutboundSink } from './outbound-sink.js'
import { SUBSCRIPTIONS_KEY } from './outbox-record.js'
import { Tally } from './tally.js'
import { Outbox } from './outbox.js'
import { localStatusPayload, type BridgeError, type BridgeState, type BridgeStatus } from './status.js'
import { hubStatusTopic, inSubscriptions, resolveTopicRules, type TopicRule } from './topics.js'

export { type BridgeStatus, type BridgeState, type BridgeError } from './status.js'

/** What `createBridge` needs from the hub. */
export interface BridgeOptions {
  readonly config: BridgeConfig
  readonly salonId: string
  /** The bridge's own sublevel of the hub's LevelDB (outbox and link memo), with Buffer values. */
  readonly db: Sublevel
  readonly local: LocalPort
  readonly log: Logger
  readonly metrics: Metrics
  /** Random source of the reconnect jitter, [0, 1). Defaults to Math.random. */
  readonly random?: () => number
}

/** The bridge as the hub drives it. Emits `'status'` with a `BridgeStatus` on every state change. */
export interface Bridge {
  /** Open the outbox, register the sink and start connecting (resolves without waiting for the cloud). */
  start (): Promise<void>
  /** Disconnect (publishing the retained offline status on the cloud), unregister, flush. Idempotent. */
  close (): Promise<void>
  status (): BridgeStatus
  on (event: 'status', listener: (status: BridgeStatus) => void): this
  off (event: 'status', listener: (status: BridgeStatus) => void): this
}

const CLOSE_DEADLINE_MS = 5000
const CONNECT_TIMEOUT_MS = 30_000

/**
 * Create the bridge of one salon hub. Throws a `ConfigError` when a topic filter leaves
 * `salon/{salonId}/`, or `cert` and `key` are not set together. `config.url === null` gives a
 * bridge whose state is `disabled` and which does nothing.
 */
export function createBridge (options: BridgeOptions): Bridge {
  const rules = resolveTopicRules(options.config.topics, options.salonId)
  if ((options.config.cert === null) !== (options.config.key === null)) {
    throw new ConfigError(['bridge.cert and bridge.key must be set together (received only one of them)'])
  }
  return new CloudBridge(options, rules)
}

class CloudBridge extends EventEmitter<{ status: [BridgeStatus] }> implements Bridge {
  readonly #o: BridgeOptions
  readonly #rules: readonly TopicRule[]
  readonly #log: Logger
  readonly #counters: BridgeCounters
  readonly #sent: DedupeWindow
  readonly #received: DedupeWindow
  readonly #tally: Tally
  #state: BridgeState
  #since = new Date()
  #lastError: BridgeError | null = null
  #outbox: Outbox | null = null
  #drainer: Drainer | null = null
  #link: CloudLink | null = null
  #removeSink: (() => void) | null = null
  #sweep: NodeJS.Timeout | null = null
  #localStatus: Promise<void> = Promise.resolve()
  #started = false
  #window = 0
  #closed = false

  constructor (options: BridgeOptions, rules: readonly TopicRule[]) {
    super()
    this.#o = options
    this.#rules = rules
    this.#log = options.log.child({ component: 'bridge' })
    this.#state = options.config.url === null ? 'disabled' : 'connecting'
    const { windowSize, windowSeconds } = options.config.dedupe
    this.#sent = new DedupeWindow(windowSize, windowSeconds * 1000)
    this.#received = new DedupeWindow(windowSize, windowSeconds * 1000)
    this.#counters = registerBridgeMetrics(options.metrics, () => this.status())
    this.#tally = new Tally(this.#counters, this.#log, options.config.outbox.whenFull, () => this.#outbox?.stats(Date.now()))
  }

  status (): BridgeStatus {
    const stats = this.#outbox?.stats(Date.now()) ?? { messages: 0, bytes: 0, oldestAgeSeconds: null }
    return {
      state: this.#state,
      since: this.#since.toISOString(),
      lastError: this.#lastError,
      protocolVersion: this.#link?.protocolVersion ?? null,
      outbox: { ...stats, whenFull: this.#o.config.outbox.whenFull, full: this.#tally.full },
      counts: this.#tally.counts
    }
  }

  async start (): Promise<void> {
    if (this.#started) throw new Error('bridge already started')
    this.#started = true
    if (this.#o.config.url === null) {
      this.#announce()
      return
    }
    const outbox = await this.#openOutbox()
    this.#registerSink(outbox)
    this.#startLink(this.#o.config.url)
    this.#startSweep(outbox)
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#sweep !== null) clearInterval(this.#sweep)
    this.#removeSink?.()
    await this.#link?.close(CLOSE_DEADLINE_MS)
    this.#drainer?.stop()
    await this.#outbox?.flush().catch((err: unknown) => { this.#storeFault(err, 'flushing the outbox at close') })
    if (this.#state !== 'disabled') this.#setState('offline', false)
    this.#log.info('bridge: closed')
  }

  async #openOutbox (): Promise<Outbox> {
    const { maxMessages, maxBytes, maxAgeSeconds, whenFull } = this.#o.config.outbox
    const outbox = await Outbox.open(this.#o.db, { maxMessages, maxBytes, maxAgeMs: maxAgeSeconds * 1000, whenFull },
      (err) => { this.#storeFault(err, 'deleting acknowledged messages') })
    if (outbox.discardedAtOpen > 0) this.#log.error({ discarded: outbox.discardedAtOpen }, 'bridge: unreadable outbox records deleted at open')
    this.#outbox = outbox
    const stats = outbox.stats(Date.now())
    this.#log.info({ messages: stats.messages, bytes: stats.bytes, sequence: outbox.sequence }, 'bridge: outbox opened')
    this.#drainer = new Drainer(outbox, {
      sending: (entry) => { if (entry.envelopeId !== null) this.#sent.add(dedupeKey(entry.topic, entry.envelopeId), Date.now()) },
      sent: () => { this.#tally.out() },
      refused: (entry, err) => {
        this.#log.debug({ topic: entry.topic, err: err.message }, 'bridge: cloud refused a message')
        this.#tally.dropped('refused', 1)
      },
      readError: (err) => { this.#storeFault(err, 'reading the outbox') }
    })
    return outbox
  }

  #registerSink (outbox: Outbox): void {
    const sink = new OutboundSink({
      salonId: this.#o.salonId,
      rules: this.#rules,
      outbox,
      sent: this.#sent,
      now: Date.now,
      duplicate: () => { this.#tally.duplicate('out') },
      drops: (counts, stored) => {
        for (const [reason, n] of counts) this.#tally.dropped(reason, n)
        if (stored && counts.size === 0) this.#tally.calm()
      },
      sendable: () => { this.#drainer?.kick() }
    })
    this.#removeSink = this.#o.local.addSink(sink)
  }

  #startLink (url: string): void {
    const c = this.#o.config
    const inbound = createInbound({
      salonId: this.#o.salonId,
      rules: this.#rules,
      local: this.#o.local,
      sent: this.#sent,
      received: this.#received,
      now: Date.now,
      forwarded: () => { this.#tally.in() },
      duplicate: () => { this.#tally.duplicate('in') },
      ignored: (topic, reason) => { this.#log.debug({ topic, reason }, 'bridge: cloud message not forwarded') }
    })
    this.#link = new CloudLink({
      settings: linkSettings(c, url, this.#o.salonId, CONNECT_TIMEOUT_MS),
      files: { ca: c.ca, cert: c.cert, key: c.key },
      subscriptions: inSubscriptions(this.#rules),
      statusTopic: hubStatusTopic(this.#o.salonId),
      inflight: c.inflight,
      backoff: c.backoff,
      memo: {
        load: async () => (await this.#o.db.get(SUBSCRIPTIONS_KEY))?.toString('utf8'),
        save: async (value) => { await this.#o.db.put(SUBSCRIPTIONS_KEY, Buffer.from(value, 'utf8')) }
      },
      log: this.#log,
      random: this.#o.random ?? Math.random,
      onMessage: inbound,
      onUp: (session) => { this.#online(session) },
      onOffline: (failure, retryInMs) => { this.#offline(failure, retryInMs) }
    })
    this.#announce()
    if (url.startsWith('mqtt://')) this.#log.warn('bridge: bridge.url is not TLS (mqtt://): the bridge token travels in clear')
    this.#link.start()
  }

  #startSweep (outbox: Outbox): void {
    const everyMs = Math.min(60_000, Math.max(1000, this.#o.config.outbox.maxAgeSeconds * 100))
    this.#sweep = setInterval(() => {
      outbox.expire(Date.now()).then((expired) => { this.#tally.dropped('expired', expired.length) },
        (err: unknown) => { this.#storeFault(err, 'dropping expired messages') })
    }, everyMs)
    this.#sweep.unref()
  }

  #online (session: LinkSession): void {
    this.#window = session.window
    this.#setState('online')
    this.#drainer?.start(session)
  }

  #offline (failure: LinkFailure, retryInMs: number): void {
    this.#drainer?.stop()
    this.#counters.failures.inc({ kind: failure.kind })
    const previous = this.#lastError
    this.#lastError = { kind: failure.kind, message: failure.message, at: new Date().toISOString() }
    if (this.#state !== 'offline') {
      this.#setState('offline', true, { retryInMs })
    } else if (previous?.kind !== failure.kind || previous.message !== failure.message) {
      this.#logFailure('bridge: still offline, new reason', failure, retryInMs)
    } else {
      this.#log.debug({ kind: failure.kind, retryInMs }, 'bridge: reconnect attempt failed')
    }
  }

  /** Report the initial state (disabled or connecting) like a state change. */
  #announce (): void {
    this.#since = new Date()
    this.#stateChanged(true, {})
  }

  #setState (state: BridgeState, publishLocal = true, detail: { retryInMs?: number } = {}): void {
    if (state === this.#state) return
    this.#state = state
    this.#since = new Date()
    this.#stateChanged(publishLocal, detail)
  }

  #stateChanged (publishLocal: boolean, detail: { retryInMs?: number }): void {
    const state = this.#state
    if (state === 'offline' && this.#lastError !== null && detail.retryInMs !== undefined) {
      this.#logFailure('bridge: offline', this.#lastError, detail.retryInMs)
    } else if (state === 'online') {
      this.#log.info({ protocolVersion: this.#link?.protocolVersion, inflightWindow: this.#window, outbox: this.#outbox?.stats(Date.now()).messages ?? 0 }, 'bridge: online')
    } else {
      this.#log.info({ state }, `bridge: ${state}`)
    }
    const status = this.status()
    try {
      this.emit('status', status)
    } catch (err) {
      // A listener's fault must not stop the bridge (it runs inside mqtt.js and timer callbacks).
      this.#log.error({ err: err instanceof Error ? err.message : String(err) }, 'bridge: a status listener threw')
    }
    if (publishLocal) this.#publishLocalStatus(status)
  }

  #logFailure (msg: string, failure: { kind: LinkFailure['kind'] | 'store', message: string }, retryInMs: number): void {
    const fields = { kind: failure.kind, reason: failure.message, retryInMs }
    if (operatorMustAct(failure.kind)) this.#log.error(fields, msg)
    else this.#log.warn(fields, msg)
  }

  #publishLocalStatus (status: BridgeStatus): void {
    const message = { topic: hubStatusTopic(this.#o.salonId), payload: localStatusPayload(status.state, status.since), qos: 1 as const, retain: true }
    this.#localStatus = this.#localStatus.then(async () => { await this.#o.local.publish(message) }).catch((err: unknown) => {
      this.#log.warn({ err: err instanceof Error ? err.message : String(err) }, 'bridge: could not publish the local hub status')
    })
  }

  #storeFault (err: unknown, doing: string): void {
    const message = `${doing}: ${err instanceof Error ? err.message : String(err)}`
    this.#lastError = { kind: 'store', message, at: new Date().toISOString() }
    this.#log.error({ err: message }, 'bridge: outbox store fault')
  }
}
