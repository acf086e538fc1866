import { type Duplex } from 'node:stream'
import { Aedes } from 'aedes'
import { type HubConfig } from '../config/schema.js'
import { type Logger } from '../log/logger.js'
import { type Metrics } from '../metrics/metrics.js'
import { type SessionStore } from '../store/session-store.js'
import { type AccessPolicy } from './access.js'
import { createBrokerMetrics, type BrokerMetrics } from './broker-metrics.js'
import { type AedesClient, type AedesPacket } from './client-internals.js'
import { createDeliver } from './deliver.js'
import { drainQueue } from './drain-queue.js'
import { createHooks, handled, identities, type HookContext } from './hooks.js'
import { type LocalPort } from './local-port.js'
import { CONNACK_UNACCEPTABLE_PROTOCOL, PacketConformance } from './packet-conformance.js'
import { PacketSizeGuard } from './packet-size-guard.js'
import { PublishPipeline } from './publish-pipeline.js'
import { pubackRun } from './puback-run.js'

/** The running broker as the hub's other parts see it. */
export interface HubBroker {
  readonly aedes: Aedes
  readonly pipeline: PublishPipeline
  readonly local: LocalPort
  readonly metrics: BrokerMetrics
  /** Serve one accepted connection (TCP, TLS or WebSocket stream). */
  handle (stream: Duplex, req?: unknown): void
  /** Close every device connection (graceful shutdown; as when aedes closes, their wills are published). */
  disconnectAll (): Promise<void>
  /** Close every connection of a device (its token was revoked or rotated). */
  disconnectDevice (deviceId: string, reason: string): number
  /** Connected clients with their identity. */
  clients (): Array<{ clientId: string, clean: boolean, deviceType: string | null, salonId: string | null, remoteAddress: string | null }>
  close (): Promise<void>
}

export interface BrokerOptions {
  readonly config: HubConfig
  readonly sessions: SessionStore
  readonly policy: AccessPolicy
  readonly log: Logger
  readonly metrics: Metrics
  readonly throttle?: HookContext['throttle']
}

/** Create the aedes broker with the hub's persistence, hooks, delivery and limits. */
export async function createBroker (options: BrokerOptions): Promise<HubBroker> {
  const { config, sessions, log } = options
  const metrics = createBrokerMetrics(options.metrics)
  // the pipeline needs the broker and the hooks need the pipeline: bind it late
  let pipeline: PublishPipeline | undefined
  const hooks = createHooks({
    policy: options.policy,
    get pipeline () { return pipeline as PublishPipeline },
    sessions,
    log,
    metrics,
    ...(options.throttle !== undefined ? { throttle: options.throttle } : {})
  })
  const aedes = await Aedes.createBroker({
    id: sessions.brokerId,
    persistence: sessions,
    connectTimeout: config.limits.connectTimeoutMs,
    keepaliveLimit: config.limits.keepaliveMaxSeconds,
    maxInflightInbound: config.limits.maxInflightInbound,
    drainTimeout: 60000,
    ...hooks
  } as unknown as ConstructorParameters<typeof Aedes>[0])
  const active = new PublishPipeline(aedes as unknown as ConstructorParameters<typeof PublishPipeline>[0], sessions)
  pipeline = active

  // Every publish aedes makes goes through the pipeline; packets the hooks stored already are skipped.
  const internal = aedes as unknown as { publish: (packet: AedesPacket, client: unknown, done?: (err?: Error | null) => void) => void }
  internal.publish = function publish (packet, client, done) {
    if (typeof client === 'function') {
      done = client as (err?: Error | null) => void
      client = null
    }
    const finish = done ?? noop
    if (handled.has(packet)) {
      finish(null)
      return
    }
    const clientId = (client as AedesClient | null)?.id
    active.publish(packet, { origin: 'hub', clientId }).then(() => finish(null), (err: unknown) => {
      metrics.storeErrors.inc()
      finish(err instanceof Error ? err : new Error(String(err)))
    })
  }

  sessions.onDrop((clientId, dropped, reason) => {
    metrics.queueDropped.inc({ policy: reason }, dropped)
    log.warn({ clientId, dropped, policy: reason, maxQueuedMessages: config.limits.maxQueuedMessages, maxQueuedBytes: config.limits.maxQueuedBytes }, 'session queue full: messages dropped')
  })

  const deliveryContext = {
    sessions,
    forward: (client: AedesClient, packet: AedesPacket) => options.policy.forward(identities.get(client) ?? null, packet.topic),
    maxClientBufferBytes: config.limits.maxClientBufferBytes,
    onSent: (qos: 0 | 1 | 2) => { metrics.messagesOut.inc({ qos: String(qos) }) },
    onSlowReader: (client: AedesClient, buffered: number) => {
      metrics.slowReaders.inc()
      log.warn({ clientId: client.id, bufferedBytes: buffered }, 'connection closed: it does not read what is sent to it (its persistent session keeps its queue)')
      client.conn.destroy()
    }
  }

  sessions.setDrainer((client, reader) => drainQueue(client as AedesClient, reader, deliveryContext))

  const handle = (stream: Duplex, req?: unknown): void => {
    const client = (aedes.handle as unknown as (s: Duplex, r?: unknown) => AedesClient)(stream, req)
    const deliver = createDeliver(client, deliveryContext)
    client.deliver0 = deliver
    client.deliverQoS = deliver
    const guard = new PacketSizeGuard(config.limits.maxPacketSize)
    const conformance = new PacketConformance()
    const parse = client._parser.parse.bind(client._parser)
    client._parser.parse = (buf: Buffer) => {
      // aedes calls parse only once every packet before is handled: acknowledging here keeps their order
      if (guard.atBoundary && conformance.atBoundary && pubacksNow(client)) {
        const ids = pubackRun(buf)
        if (ids !== null) {
          for (const id of ids) sessions.acknowledge(client.id, id)
          if (client._keepaliveInterval > 0) client._keepaliveTimer?.refresh()
          return 0
        }
      }
      const problem = guard.feed(buf)
      const violation = problem === null ? conformance.feed(buf) : null
      if (problem === null && violation === null) return parse(buf)
      metrics.badPackets.inc()
      log.warn({ clientId: client.id ?? undefined, remoteAddress: (stream as { remoteAddress?: string }).remoteAddress, reason: problem ?? violation?.reason }, 'connection closed: bad packet')
      if (violation?.answer === 'connack-unacceptable-protocol') stream.end(CONNACK_UNACCEPTABLE_PROTOCOL, () => { stream.destroy() })
      else stream.destroy()
      return 0
    }
  }

  /** Whether a chunk of PUBACKs can be handled here as aedes would: connected, nothing held or half-parsed, no 'ack' listener. */
  const pubacksNow = (client: AedesClient): boolean =>
    client.connackSent && (client.connected || client.connecting) && !client.closed &&
    client._parser._list.length === 0 && (client._parser._queue === null || client._parser._queue.length === 0) &&
    aedes.listenerCount('ack') === 0

  aedes.on('clientError', (client: unknown, err: Error) => {
    log.info({ clientId: (client as AedesClient).id, err: err.message }, 'client connection error')
  })
  aedes.on('connectionError', (_client: unknown, err: Error) => {
    log.info({ err: err.message }, 'connection error before CONNECT completed')
  })

  const local: LocalPort = {
    publish: async (message) => { await active.publish(message, { origin: 'bridge' }) },
    addSink: (sink) => active.addSink(sink),
    retained: (topic) => sessions.retained.get(topic)?.payload
  }

  return {
    aedes,
    pipeline: active,
    local,
    metrics,
    handle,
    disconnectAll: async () => {
      const all = Object.values((aedes as unknown as { clients: Record<string, AedesClient> }).clients)
      await Promise.all(all.map((c) => new Promise<void>((resolve) => { c.close(() => resolve()) })))
    },
    disconnectDevice: (deviceId, reason) => {
      let closed = 0
      for (const c of Object.values((aedes as unknown as { clients: Record<string, AedesClient> }).clients)) {
        if (identities.get(c)?.deviceId !== deviceId) continue
        log.info({ clientId: c.id, deviceId, reason }, 'device disconnected')
        c.close()
        closed++
      }
      return closed
    },
    clients: () => Object.values((aedes as unknown as { clients: Record<string, AedesClient> }).clients).map((c) => {
      const identity = identities.get(c) ?? null
      return {
        clientId: c.id,
        clean: c.clean,
        deviceType: identity?.deviceType ?? null,
        salonId: identity?.salonId ?? null,
        remoteAddress: c.conn.remoteAddress ?? null
      }
    }),
    close: () => new Promise<void>((resolve) => { aedes.close(() => resolve()) })
  }
}

function noop (): void {}
