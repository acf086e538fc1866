/**
 * The `auth` section: how devices prove who they are (offline), and how repeated failures from
 * one address are slowed down. The hub's own `salonId` is a top-level key of the core.
 */

/** The authentication modes. */
export const AUTH_MODES = ['devices', 'jwt', 'open'] as const
export type AuthMode = typeof AUTH_MODES[number]

/** The JWT algorithms a hub accepts; never `none`. */
export const JWT_ALGORITHMS = ['HS256', 'ES256', 'RS256'] as const
export type JwtAlgorithm = typeof JWT_ALGORITHMS[number]

/** The validated `auth.jwt` keys. */
export interface JwtSection {
  readonly secret: string | null
  readonly publicKeyFile: string | null
  readonly jwksFile: string | null
  readonly algorithms: readonly JwtAlgorithm[] | null
  readonly issuer: string | null
  readonly audience: string | null
  readonly clockToleranceSec: number
}

/** The validated `auth.throttle` keys. */
export interface ThrottleSection {
  readonly freeFailures: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  readonly windowMs: number
  readonly maxAddresses: number
}

/** The validated `auth` section. */
export interface AuthSection {
  readonly mode: AuthMode
  readonly cacheTtlMs: number
  readonly jwt: JwtSection
  readonly throttle: ThrottleSection
}

const nullableString = (description: string) => ({ type: ['string', 'null'], minLength: 1, default: null, description }) as const

/** The JSON Schema of the `auth` section. */
export const authSection = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'Device authentication, checked offline. Devices connect with username = device id, password = token, client id = "{deviceType}-{deviceId}".',
  properties: {
    mode: {
      type: 'string',
      enum: AUTH_MODES,
      default: 'devices',
      description: '"devices": tokens of the local device registry (mango-broker devices add). "jwt": signed device tokens checked with auth.jwt. "open": development only, admits anyone (the ACL still applies).'
    },
    cacheTtlMs: {
      type: 'integer',
      minimum: 0,
      maximum: 3600000,
      default: 60000,
      description: 'devices mode: how long a verified token is recognised without recomputing its scrypt hash (memory only; revocation still takes effect at once). 0 disables.'
    },
    jwt: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'jwt mode: exactly one of secret, publicKeyFile, jwksFile. Tokens must carry salon_id, device_id, device_type and exp.',
      properties: {
        secret: { ...nullableString('HS256 shared secret, at least 32 characters.'), minLength: 32 },
        publicKeyFile: nullableString('PEM file of the ES256 (P-256) or RS256 public key that signs device tokens.'),
        jwksFile: nullableString('Local JWKS file (JSON {"keys": [...]}) of the public keys that sign device tokens; never fetched over the network.'),
        algorithms: {
          type: ['array', 'null'],
          items: { type: 'string', enum: JWT_ALGORITHMS },
          minItems: 1,
          uniqueItems: true,
          default: null,
          description: 'Accepted algorithms; null derives them from the key (secret: HS256; public key: its own; JWKS: ES256 and RS256). "none" is never accepted.'
        },
        issuer: nullableString('Required "iss" claim; null does not check it.'),
        audience: nullableString('Required "aud" claim; null does not check it.'),
        clockToleranceSec: { type: 'integer', minimum: 0, maximum: 300, default: 30, description: 'Clock skew allowed when checking "exp" and "nbf", in seconds.' }
      }
    },
    throttle: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Brute-force slowdown: after repeated failed logins from one address, its next CONNACK is delayed, doubling per failure.',
      properties: {
        freeFailures: { type: 'integer', minimum: 0, default: 3, description: 'Failures from one address answered without delay.' },
        baseDelayMs: { type: 'integer', minimum: 0, default: 500, description: 'Delay after the first failure beyond freeFailures; doubles with each further failure. 0 disables the slowdown.' },
        maxDelayMs: { type: 'integer', minimum: 0, maximum: 25000, default: 10000, description: 'Longest delay (kept below mqtt.js\'s 30 s connect timeout).' },
        windowMs: { type: 'integer', minimum: 1000, default: 900000, description: 'An address\'s failures are forgotten this long after its last failure.' },
        maxAddresses: { type: 'integer', minimum: 1, default: 10000, description: 'Addresses tracked at once; the least recently failed is forgotten first.' }
      }
    }
  }
} as const
