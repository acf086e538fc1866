import { type FastifyPluginAsync } from 'fastify'
import { type Registry, type RegistryStatus } from '../../registry/index.js'
import { registrationSchema } from './devices-schemas.js'

/** Options of {@link registrationRoutes}. */
export interface RegistrationRoutesOptions {
  readonly registry: Pick<Registry, 'status'>
}

/** The `GET /registration` document (see `registrationSchema`). */
export function registrationView (s: RegistryStatus): Record<string, unknown> {
  return {
    enabled: s.enabled,
    state: s.state,
    reason: s.reason,
    salonId: s.salonId,
    deviceId: s.deviceId,
    table: s.table,
    supabaseHost: s.supabaseHost,
    advertised: {
      address: s.address,
      addressSource: s.addressSource,
      mqttPort: s.ports.mqtt,
      wsPort: s.ports.ws,
      tlsPort: s.ports.tls,
      httpPort: s.ports.http
    },
    version: s.version,
    heartbeatSeconds: s.heartbeatSeconds,
    lastHeartbeat: s.lastAttemptAt === null ? null : { at: s.lastAttemptAt, ok: s.consecutiveFailures === 0 && s.lastSuccessAt !== null },
    lastSuccessAt: s.lastSuccessAt,
    lastError: s.lastError,
    consecutiveFailures: s.consecutiveFailures,
    nextAttemptAt: s.nextAttemptAt,
    pendingMirrors: s.pendingMirrors
  }
}

/**
 * `GET /registration`: what the hub has registered in Supabase (salon, device id, advertised
 * address and ports) and how the last heartbeat went. With registration off it answers
 * `enabled: false`, `state: "off"` and the reason. Carries no secret (never the key).
 */
export const registrationRoutes: FastifyPluginAsync<RegistrationRoutesOptions> = async (app, options) => {
  const { registry } = options
  app.get('/registration', { schema: { response: { 200: registrationSchema } } }, async () => registrationView(registry.status()))
}
