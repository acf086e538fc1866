import { EventEmitter } from 'node:events'
import { createRequire } from 'node:module'
import { type FastifyInstance } from 'fastify'
import { openAccess, type AccessPolicy } from '../broker/access.js'
import { createBroker, type HubBroker } from '../broker/create-broker.js'
import { type HubConfig } from '../config/schema.js'
import { buildHttp, closeHttp, listenHttp, type HttpPlugin } from '../http/server.js'
import { startMqttListeners, type MqttListeners, type MqttPorts } from '../listeners/mqtt-listeners.js'
import { createLogger, type Logger } from '../log/logger.js'
import { Metrics } from '../metrics/metrics.js'
import { openStore, type Store } from '../store/open-store.js'
// `import type` keeps the bridge (and mqtt.js) unloaded until parts.ts imports it; see there.
import type { Bridge } from '../bridge/index.js'
import { type Registry } from '../registry/index.js'
import { type LevelDeviceRegistry } from '../auth/device-registry.js'
import { type Throttle } from '../auth/throttle.js'
import { createRegistryPart, openAccessParts, startBridgePart, type PartStatus } from './parts.js'
import { StepRunner, type Step } from './steps.js'

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string }

/** The hub's version (package.json). */
export const VERSION = pkg.version

/** Ports the hub listens on; null where a listener is off. */
export interface HubPorts extends MqttPorts { http: number | null }

/** Options of {@link createHub} beyond the configuration. */
export interface HubOptions {
  /** The logger to use (default: a new pino logger at `config.log.level` on stdout). */
  readonly log?: Logger
  /** Access policy (default: the one `auth.mode` selects: device registry or JWT, salon ACL, envelope check). */
  readonly policy?: AccessPolicy
}

/** A hub: the broker, its store, listeners and HTTP, started and stopped as one. */
export interface Hub extends EventEmitter {
  /** Run the start-up steps; rejects with a `MangoError` naming what failed (and undoes what started). */
  start (): Promise<HubPorts>
  /** Graceful close: stop accepting, close clients, finish writes, close LevelDB; once, within `shutdown.timeoutMs`. Resolves the steps that failed or missed the deadline. */
  close (): Promise<string[]>
  /** The `/status` document. */
  status (): Record<string, unknown>
  readonly ports: HubPorts | null
  readonly log: Logger
  readonly metrics: Metrics
  /** The running broker (after start). */
  readonly broker: HubBroker | null
  readonly store: Store | null
}

/**
 * Create a hub from a validated configuration. Start-up runs
 * `[openStore, startBroker, publishOrphanWills, startListeners, startHttp]`; `close()` runs
 * them in reverse.
 */
export function createHub (config: HubConfig, options: HubOptions = {}): Hub {
  const log = options.log ?? createLogger(config.log.level)
  const metrics = new Metrics()
  const runner = new StepRunner()
  const startedAt = Date.now()
  let store: Store | null = null
  let broker: HubBroker | null = null
  let listeners: MqttListeners | null = null
  let http: FastifyInstance | null = null
  let ports: HubPorts | null = null
  let closing = false
  let plugins: HttpPlugin[] = []
  let policy: AccessPolicy | null = options.policy ?? null
  let salonId: string | null = config.salonId
  let devices: LevelDeviceRegistry | null = null
  let throttle: Throttle | undefined
  let bridge: Bridge | null = null
  let registry: Registry | null = null
  const emitStatus = (s: PartStatus): void => { hub.emit('status', s) }

  const ready = (): { ready: boolean, reasons: string[] } => {
    const reasons: string[] = []
    if (store === null) reasons.push('store not open')
    if (listeners === null) reasons.push('MQTT listeners not bound')
    if (closing) reasons.push('shutting down')
    if (store !== null && store.writer.failing) reasons.push(`store writes failing: ${store.writer.lastError ?? 'unknown error'}`)
    return { ready: reasons.length === 0, reasons }
  }

  const status = (): Record<string, unknown> => {
    const sessions = store?.sessions
    const queues = sessions?.queueDepths() ?? []
    return {
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      salonId,
      authMode: options.policy !== undefined ? 'custom' : config.auth.mode,
      ready: ready().ready,
      ports,
      connections: listeners?.gate.open ?? 0,
      clients: broker?.clients() ?? [],
      sessions: { persistent: sessions?.subscriptions.clientCount ?? 0, subscriptions: sessions?.subscriptions.subscriptionCount ?? 0 },
      retained: sessions?.retained.size ?? 0,
      queues: { total: queues.reduce((n, q) => n + q.messages, 0), byClient: queues },
      drops: { queueFull: broker?.metrics.queueDropped.total() ?? 0, forbiddenPublishes: broker?.metrics.forbidden.total() ?? 0, slowReaders: broker?.metrics.slowReaders.total() ?? 0 },
      bridge: bridge?.status() ?? { state: 'disabled' },
      registry: registry?.status() ?? { state: 'off' },
      persistence: store === null
        ? { state: 'closed' }
        : { state: store.writer.failing ? 'failing' : 'ok', dataDir: store.location, fsync: config.store.fsync, batches: store.writer.batches, writes: store.writer.writes, lastError: store.writer.lastError }
    }
  }

  metrics.collected('mango_connections', 'Open MQTT connections', () => [{ value: listeners?.gate.open ?? 0 }])
  metrics.collected('mango_queue_depth', 'Messages waiting in persistent session queues', () => [{ value: (store?.sessions.queueDepths() ?? []).reduce((n, q) => n + q.messages, 0) }])
  metrics.collected('mango_retained_messages', 'Retained messages stored', () => [{ value: store?.sessions.retained.size ?? 0 }])
  metrics.collected('mango_persistent_sessions', 'Persistent sessions with subscriptions', () => [{ value: store?.sessions.subscriptions.clientCount ?? 0 }])
  metrics.collected('mango_store_batches', 'LevelDB batches written (group commit)', () => [{ value: store?.writer.batches ?? 0 }])
  metrics.collected('mango_store_failing', '1 while LevelDB writes fail', () => [{ value: store?.writer.failing === true ? 1 : 0 }])

  const steps: Step[] = [
    {
      name: 'openStore',
      start: async () => {
        store = await openStore({
          dataDir: config.dataDir,
          fsync: config.store.fsync,
          queueLimits: { maxMessages: config.limits.maxQueuedMessages, maxBytes: config.limits.maxQueuedBytes, policy: config.limits.queueFullPolicy },
          onCreated: (location) => log.info({ dataDir: location }, 'data directory created')
        })
        const opened = store
        return async () => { await opened.close(); store = null }
      }
    },
    {
      name: 'openAccess',
      start: async () => {
        const parts = await openAccessParts(config, store as Store, log.child({ component: 'auth' }))
        devices = parts.devices
        throttle = parts.throttle
        salonId = parts.policy.salonId
        policy ??= parts.policy
        return undefined
      }
    },
    {
      name: 'startBroker',
      start: async () => {
        broker = await createBroker({ config, sessions: (store as Store).sessions, policy: policy ?? openAccess, log: log.child({ component: 'broker' }), metrics, ...(throttle !== undefined ? { throttle } : {}) })
        const running = broker
        const off = devices?.onInvalidated((deviceId) => { running.disconnectDevice(deviceId, 'token revoked or rotated') })
        return async () => { off?.(); await running.close() }
      }
    },
    {
      name: 'publishOrphanWills',
      start: async () => {
        const sessions = (store as Store).sessions
        for (const will of sessions.orphanWills()) {
          await (broker as HubBroker).pipeline.publish(will, { origin: 'hub', clientId: will.clientId })
          await sessions.delWill({ id: will.clientId })
          log.info({ clientId: will.clientId, topic: will.topic }, 'will of a connection ended by the previous stop published')
        }
        return undefined
      }
    },
    {
      name: 'startBridge',
      start: async () => {
        bridge = await startBridgePart(config, salonId as string, store as Store, broker as HubBroker, log, metrics, emitStatus)
        const running = bridge
        return running === null ? undefined : async () => { await running.close(); bridge = null }
      }
    },
    {
      name: 'startListeners',
      start: async () => {
        const b = broker as HubBroker
        listeners = await startMqttListeners(config, b.handle, log.child({ component: 'listener' }), () => { b.metrics.refused.inc({ reason: 'max-connections' }) })
        const running = listeners
        return async () => {
          closing = true
          await running.stopAccepting()
          // close devices' connections now, while the bridge still takes what they published last
          await (broker as HubBroker).disconnectAll()
          listeners = null
        }
      }
    },
    {
      name: 'startHttp',
      start: async () => {
        const advertised = (): { mqtt: number, ws: number | null, tls: number | null, http: number } => ({ mqtt: ports?.mqtt ?? config.mqtt.port, ws: ports?.ws ?? null, tls: ports?.tls ?? null, http: ports?.http ?? config.http.port ?? 0 })
        const part = createRegistryPart(config, config.salonId, advertised, VERSION, devices as LevelDeviceRegistry, log, metrics, emitStatus)
        registry = part.registry
        plugins = part.plugins
        if (config.http.port === null) return undefined
        const app = await buildHttp({ health: () => ({ status: 'ok' }), ready, status, metrics }, log.child({ component: 'http' }), plugins)
        http = app
        const port = await listenHttp(app, config.http.host, config.http.port)
        ports = { ...(ports ?? { mqtt: 0, ws: null, tls: null }), http: port }
        return async () => { await closeHttp(app); http = null }
      }
    },
    {
      name: 'startRegistry',
      start: async () => {
        const running = registry as Registry
        for (const device of await (devices as LevelDeviceRegistry).list()) running.mirrorDevice(device, false)
        await running.start()
        return async () => { await running.close(); registry = null }
      }
    }
  ]

  const hub = Object.assign(new EventEmitter(), {
    log,
    metrics,
    status,
    async start (): Promise<HubPorts> {
      await runner.start(steps, (name) => {
        if (name === 'startListeners' && listeners !== null) ports = { ...listeners.ports, http: null }
      })
      const bound = ports as HubPorts
      log.info({ ports: bound, pid: process.pid, dataDir: store?.location, version: VERSION, salonId, authMode: config.auth.mode, fsync: config.store.fsync }, 'ready')
      hub.emit('ready', bound)
      return bound
    },
    async close (): Promise<string[]> {
      closing = true
      const failed = await runner.stop(config.shutdown.timeoutMs)
      if (failed.length === 0) log.info('stopped')
      else log.error({ failed }, 'stopped with errors')
      return failed
    }
  })
  // Object.assign copies a getter's value, not the getter: define the live ones on the result
  Object.defineProperties(hub, {
    ports: { get: () => ports, enumerable: true },
    broker: { get: () => broker, enumerable: true },
    store: { get: () => store, enumerable: true }
  })
  return hub as unknown as Hub
}
