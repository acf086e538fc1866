import { createHash, timingSafeEqual } from 'node:crypto'
import { type FastifyError, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify'
import { type DeviceRecord, type DeviceRegistry, type DeviceType } from '../../auth/types.js'
import { MangoError } from '../../errors.js'
import { type Registry } from '../../registry/index.js'
import {
  createRouteValidator, deviceListSchema, deviceParamsSchema, enrollBodySchema, enrolledSchema, errorSchema,
  formatValidationErrors, revokedSchema
} from './devices-schemas.js'

/** Options of {@link deviceRoutes}. */
export interface DeviceRoutesOptions {
  /** The hub's local device registry. */
  readonly devices: DeviceRegistry
  /** Where enrolments and revocations are mirrored (a no-op when Supabase registration is off). */
  readonly registry: Pick<Registry, 'mirrorDevice' | 'status'>
  /** `admin.token`; null: the routes are not registered (404). */
  readonly adminToken: string | null
  /** The hub's salon: every enrolled device belongs to it. Null: the routes are not registered. */
  readonly salonId: string | null
}

interface EnrollBody { deviceType: DeviceType, deviceId: string }
interface DeviceParams { id: string }

function digest (value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

/** True when `header` is `Bearer <token>` with the admin token. Both sides are hashed first, so the compare takes the same time whatever the length. */
function authorized (header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '')
  const presented = digest(match?.[1] ?? '')
  return timingSafeEqual(presented, expected) && match !== null
}

function view (d: DeviceRecord): DeviceRecord {
  return { salonId: d.salonId, deviceId: d.deviceId, deviceType: d.deviceType, createdAt: d.createdAt, revokedAt: d.revokedAt }
}

/** A registry refusal (from the auth part's `DeviceRegistryError`) told apart by its stable code. */
function registryCode (err: unknown): string | null {
  return err instanceof MangoError ? err.code : null
}

/**
 * Device enrollment for salons adding a tablet or a pad: `POST /devices` (201, the token once),
 * `GET /devices`, `DELETE /devices/:id` (revoke). Every route needs `Authorization: Bearer
 * <admin.token>`. Enrolments and revocations are mirrored to Supabase through the registry.
 * Without an admin token (or a salon id) nothing is registered, so the routes answer 404.
 */
export const deviceRoutes: FastifyPluginAsync<DeviceRoutesOptions> = async (app, options) => {
  const { devices, registry, adminToken, salonId } = options
  if (adminToken === null || adminToken === '' || salonId === null) {
    app.log.debug('device enrollment routes are off (no admin.token or salonId)')
    return
  }
  const expected = digest(adminToken)
  const validator = createRouteValidator()
  app.setValidatorCompiler(({ schema }) => validator.compile(schema))
  app.setSchemaErrorFormatter((errors, dataVar) => new Error(formatValidationErrors(errors, dataVar, undefined)))
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.validation !== undefined) {
      const data = err.validationContext === 'params' ? request.params : err.validationContext === 'querystring' ? request.query : request.body
      return reply.code(400).send({ error: formatValidationErrors(err.validation as Parameters<typeof formatValidationErrors>[0], err.validationContext ?? 'body', data) })
    }
    const status = err.statusCode ?? 500
    if (status < 500) return reply.code(status).send({ error: err.message })
    request.log.error({ err }, 'device enrollment request failed')
    return reply.code(500).send({ error: 'internal error' })
  })
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (authorized(request.headers.authorization, expected)) return
    request.log.warn({ remoteAddress: request.ip, method: request.method, url: request.routeOptions.url }, 'admin request refused: missing or wrong bearer token')
    return await reply.code(401).header('www-authenticate', 'Bearer realm="mango-broker"').send({ error: 'missing or invalid admin bearer token' })
  })

  const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema, 500: errorSchema }
  const supabase = (): 'queued' | 'off' => (registry.status().enabled ? 'queued' : 'off')

  app.post<{ Body: EnrollBody }>('/devices', { schema: { body: enrollBodySchema, response: { 201: enrolledSchema, ...errors } } }, async (request, reply) => {
    const { deviceType, deviceId } = request.body
    if (deviceId === registry.status().deviceId) {
      return await reply.code(409).send({ error: `device id "${deviceId}" is the hub's own` })
    }
    if (await devices.get(deviceId) !== undefined) {
      return await reply.code(409).send({ error: `device "${deviceId}" already exists (revoke it, or rotate its token with the devices command)` })
    }
    let added: { device: DeviceRecord, token: string }
    try {
      added = await devices.add({ salonId, deviceType, deviceId })
    } catch (err) {
      const code = registryCode(err)
      if (code === 'MANGO_ERR_DEVICE_EXISTS') return await reply.code(409).send({ error: `device "${deviceId}" already exists` })
      if (code === 'MANGO_ERR_DEVICE_INVALID') return await reply.code(400).send({ error: (err as Error).message })
      throw err
    }
    registry.mirrorDevice(added.device)
    request.log.info({ deviceId, deviceType }, 'device enrolled over HTTP')
    return await reply.code(201).header('cache-control', 'no-store').send({
      device: view(added.device),
      token: added.token,
      username: added.device.deviceId,
      clientId: `${added.device.deviceType}-${added.device.deviceId}`,
      supabase: supabase()
    })
  })

  app.get('/devices', { schema: { response: { 200: deviceListSchema, ...errors } } }, async () => {
    return { devices: (await devices.list()).map(view) }
  })

  app.delete<{ Params: DeviceParams }>('/devices/:id', { schema: { params: deviceParamsSchema, response: { 200: revokedSchema, ...errors } } }, async (request, reply) => {
    const { id } = request.params
    if (!await devices.revoke(id)) return await reply.code(404).send({ error: `no device "${id}"` })
    const device = await devices.get(id)
    if (device === undefined) return await reply.code(404).send({ error: `no device "${id}"` })
    registry.mirrorDevice(device)
    request.log.info({ deviceId: id }, 'device revoked over HTTP')
    return { device: view(device), supabase: supabase() }
  })
}
