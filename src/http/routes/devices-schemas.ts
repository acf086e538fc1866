import { Ajv, type ErrorObject } from 'ajv'

/**
 * JSON schemas of the registration and enrollment routes, and the validator and error wording
 * those routes use (their own, so that their 400s do not depend on the server's ajv settings:
 * no type coercion, unknown keys refused rather than silently removed).
 */

/** Device types that connect to the hub (online-store and client-portal only ever reach the cloud). */
export const LOCAL_DEVICE_TYPES = ['store-app', 'check-in', 'mango-pad', 'staff-tablet'] as const

/** Device ids: the registry's rule (1 to 64 letters, digits, "_" or "-"). */
export const DEVICE_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$'

const nullableString = { type: ['string', 'null'] } as const

/** Every error body of these routes. */
export const errorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['error'],
  properties: { error: { type: 'string' } }
} as const

/** A device as the routes show it (never its token or hash). */
export const deviceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['salonId', 'deviceId', 'deviceType', 'createdAt', 'revokedAt'],
  properties: {
    salonId: { type: 'string' },
    deviceId: { type: 'string' },
    deviceType: { type: 'string' },
    createdAt: { type: 'string' },
    revokedAt: nullableString
  }
} as const

/** Body of `POST /devices`. */
export const enrollBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['deviceType', 'deviceId'],
  properties: {
    deviceType: { type: 'string', enum: LOCAL_DEVICE_TYPES },
    deviceId: { type: 'string', pattern: DEVICE_ID_PATTERN }
  }
} as const

/** Parameters of `DELETE /devices/:id`. */
export const deviceParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: DEVICE_ID_PATTERN } }
} as const

/** Answer of `POST /devices` (201): the token, shown this once. */
export const enrolledSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['device', 'token', 'username', 'clientId', 'supabase'],
  properties: {
    device: deviceSchema,
    token: { type: 'string' },
    username: { type: 'string' },
    clientId: { type: 'string' },
    supabase: { type: 'string', enum: ['queued', 'off'] }
  }
} as const

/** Answer of `GET /devices`. */
export const deviceListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['devices'],
  properties: { devices: { type: 'array', items: deviceSchema } }
} as const

/** Answer of `DELETE /devices/:id`. */
export const revokedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['device', 'supabase'],
  properties: { device: deviceSchema, supabase: { type: 'string', enum: ['queued', 'off'] } }
} as const

/** Answer of `GET /registration`. */
export const registrationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['enabled', 'state', 'reason', 'salonId', 'deviceId', 'table', 'supabaseHost', 'advertised', 'version', 'heartbeatSeconds', 'lastHeartbeat', 'lastSuccessAt', 'lastError', 'consecutiveFailures', 'nextAttemptAt', 'pendingMirrors'],
  properties: {
    enabled: { type: 'boolean' },
    state: { type: 'string', enum: ['off', 'starting', 'registered', 'retrying', 'closing', 'closed'] },
    reason: nullableString,
    salonId: nullableString,
    deviceId: nullableString,
    table: { type: 'string' },
    supabaseHost: nullableString,
    advertised: {
      type: 'object',
      additionalProperties: false,
      required: ['address', 'addressSource', 'mqttPort', 'wsPort', 'tlsPort', 'httpPort'],
      properties: {
        address: nullableString,
        addressSource: nullableString,
        mqttPort: { type: 'integer' },
        wsPort: { type: ['integer', 'null'] },
        tlsPort: { type: ['integer', 'null'] },
        httpPort: { type: 'integer' }
      }
    },
    version: { type: 'string' },
    heartbeatSeconds: { type: 'integer' },
    lastHeartbeat: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['at', 'ok'],
      properties: { at: { type: 'string' }, ok: { type: 'boolean' } }
    },
    lastSuccessAt: nullableString,
    lastError: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['at', 'status', 'message'],
      properties: { at: { type: 'string' }, status: { type: ['integer', 'null'] }, message: { type: 'string' } }
    },
    consecutiveFailures: { type: 'integer' },
    nextAttemptAt: nullableString,
    pendingMirrors: { type: 'integer' }
  }
} as const

/** The request validator of these routes (strict: no coercion, no removal, every error). */
export function createRouteValidator (): Ajv {
  return new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: true, allowUnionTypes: true })
}

function describe (error: ErrorObject): string {
  const p = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties': return `${JSON.stringify(p.additionalProperty)} is not a known field`
    case 'required': return `${JSON.stringify(p.missingProperty)} is required`
    case 'type': return `must be ${String(p.type).replace(/,/g, ' or ')}`
    case 'enum': return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    case 'pattern': return 'must be 1 to 64 letters, digits, "_" or "-"'
    default: return error.message ?? error.keyword
  }
}

/** One 400 message naming every problem: `body.deviceType must be one of "store-app", … (received "tv")`. */
export function formatValidationErrors (errors: readonly ErrorObject[], dataVar: string, data: unknown): string {
  return errors.map((error) => {
    const parts = error.instancePath.split('/').slice(1)
    const where = [dataVar, ...parts].join('.')
    let value: unknown = data
    for (const part of parts) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined
    const received = error.keyword === 'required' || error.keyword === 'additionalProperties' || value === undefined ? '' : ` (received ${JSON.stringify(value)})`
    return `${where} ${describe(error)}${received}`
  }).join('; ')
}
