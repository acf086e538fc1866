/**
 * The hub's optional parts, built from the configuration: the access policy (auth, ACL,
 * envelope), the cloud bridge and the Supabase registry. Each factory returns the part and
 * how to stop it; `hub.ts` puts them in its start-up steps.
 */
import { createHubPolicy, type HubPolicy } from '../auth/access-policy.js'
import { LevelDeviceRegistry } from '../auth/device-registry.js'
import { OPEN_MODE_WARNING } from '../auth/open-authenticator.js'
import { createThrottle, type Throttle } from '../auth/throttle.js'
import { type HubBroker } from '../broker/create-broker.js'
import { type LocalPort } from '../broker/local-port.js'
// `import type`, not `import { type ... }`: with verbatimModuleSyntax the latter still emits
// `import {} from`, which would load the bridge and mqtt.js (about 18 MB of RSS) on every start.
import type { Bridge } from '../bridge/index.js'
import { type HubConfig } from '../config/schema.js'
import { ConfigError } from '../errors.js'
import { type HttpPlugin } from '../http/server.js'
import { deviceRoutes } from '../http/routes/devices.js'
import { registrationRoutes } from '../http/routes/registration.js'
import { type Logger } from '../log/logger.js'
import { type Metrics } from '../metrics/metrics.js'
import { createRegistry, type AdvertisedPorts, type Registry } from '../registry/index.js'
import { type Store } from '../store/open-store.js'

/** One change of state of a part, as the hub re-emits it (and the IPC channel forwards it). */
export interface PartStatus { readonly component: string, readonly state: string, readonly detail?: Record<string, unknown> }

/** The device registry, the policy built on it and the brute-force throttle. */
export async function openAccessParts (config: HubConfig, store: Store, log: Logger): Promise<{ devices: LevelDeviceRegistry, policy: HubPolicy, throttle: Throttle }> {
  const devices = new LevelDeviceRegistry(store.sublevel('devices'))
  const policy = await createHubPolicy(config, devices)
  if (policy.authenticator.insecure) log.warn({ authMode: 'open' }, OPEN_MODE_WARNING)
  else if (config.salonId === null) log.warn({ authMode: config.auth.mode }, 'salonId is not set: no device can connect until it is (--salon-id, MANGO_BROKER_SALON_ID or salonId in the config file)')
  else log.info({ authMode: policy.authenticator.mode, salonId: policy.salonId }, 'devices are authenticated offline')
  return { devices, policy, throttle: createThrottle(config.auth.throttle) }
}

/** The cloud bridge, when `bridge.url` is set; started before devices can connect so its outbox sees every message. Throws a `ConfigError` when `bridge.url` is set without `salonId`. */
export async function startBridgePart (config: HubConfig, salonId: string, store: Store, broker: HubBroker, log: Logger, metrics: Metrics, emit: (s: PartStatus) => void): Promise<Bridge | null> {
  if (config.bridge.url === null) return null
  // Without a configured salon the policy's placeholder ('(unset)', or 'dev' in open mode) would
  // become the cloud user name and topic prefix: the cloud refuses it as wrong credentials.
  if (config.salonId === null) throw new ConfigError(['bridge.url is set but salonId is not: the bridge forwards salon/{salonId}/# and logs in to the cloud as the salon (set salonId, --salon-id or MANGO_BROKER_SALON_ID)'])
  // The sink stays registered until the broker is gone: close() stops the bridge before the broker
  // closes the device connections, and a message the hub acknowledges in between must still be
  // in the outbox (it is sent after the next start).
  const local: LocalPort = { publish: async (m) => { await broker.local.publish(m) }, addSink: (sink) => { broker.local.addSink(sink); return () => {} }, retained: (topic) => broker.local.retained(topic) }
  // Loaded only here: a hub without bridge.url never loads mqtt.js.
  const { createBridge } = await import('../bridge/index.js')
  const bridge = createBridge({ config: config.bridge, salonId, db: store.sublevel('bridge'), local, log: log.child({ component: 'bridge' }), metrics })
  bridge.on('status', (s) => { emit({ component: 'bridge', state: s.state, detail: { since: s.since, lastError: s.lastError, outbox: s.outbox } }) })
  await bridge.start()
  return bridge
}

/** The Supabase registry (an inert one reporting "off" when `registry.supabaseUrl` is null) and the HTTP routes that use it. */
export function createRegistryPart (config: HubConfig, salonId: string | null, ports: () => AdvertisedPorts, version: string, devices: LevelDeviceRegistry, log: Logger, metrics: Metrics, emit: (s: PartStatus) => void): { registry: Registry, plugins: HttpPlugin[] } {
  // With HTTP off the hub reports http 0; the table (like every listener that is off) wants null.
  const advertised = (): AdvertisedPorts => config.http.port === null ? { ...ports(), http: null } : ports()
  const registry = createRegistry({ config: config.registry, salonId, ports: advertised, version, log: log.child({ component: 'registry' }), metrics })
  registry.on('status', (s) => { emit({ component: 'registry', state: s.state, detail: { lastSuccessAt: s.lastSuccessAt, lastError: s.lastError } }) })
  const plugins: HttpPlugin[] = [
    { plugin: registrationRoutes as HttpPlugin['plugin'], options: { registry } },
    { plugin: deviceRoutes as HttpPlugin['plugin'], options: { devices, registry, adminToken: config.admin.token, salonId } }
  ]
  return { registry, plugins }
}
