/**
 * `auth.mode: jwt`: the password is a signed device token, verified locally with `jose` (no
 * network), so a salon keeps working when its internet is down.
 */
import { createLocalJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose'
import { AuthError } from '../errors.js'
import { bindIdentity, presented } from './bind-identity.js'
import { isDeviceType, isValidId, quote } from './ids.js'
import { type JwtKey, type JwtKeyMaterial } from './jwt-keys.js'
import { type Authenticator, type DeviceIdentity } from './types.js'

/** Claims every device token must carry. */
export const REQUIRED_CLAIMS = ['salon_id', 'device_id', 'device_type', 'exp'] as const

/** Options of {@link createJwtAuthenticator}. */
export interface JwtAuthenticatorOptions {
  readonly salonId: string
  readonly keys: JwtKeyMaterial
  readonly issuer: string | null
  readonly audience: string | null
  readonly clockToleranceSec: number
}

function describe (err: unknown): string {
  if (err instanceof errors.JOSEError) return `invalid token: ${err.message} (${err.code})`
  return 'invalid token'
}

function verifierFor (key: JwtKey, options: JWTVerifyOptions): (token: string) => Promise<JWTPayload> {
  switch (key.kind) {
    case 'secret': return async (token) => (await jwtVerify(token, key.secret, options)).payload
    case 'public-key': return async (token) => (await jwtVerify(token, key.key, options)).payload
    case 'jwks': {
      const jwks = createLocalJWKSet(key.jwks)
      return async (token) => (await jwtVerify(token, jwks, options)).payload
    }
  }
}

function identityOf (claims: JWTPayload): DeviceIdentity {
  const { salon_id: salonId, device_id: deviceId, device_type: deviceType } = claims
  if (!isValidId(salonId)) throw new AuthError(4, `token claim salon_id ${quote(salonId)} is not a valid id`)
  if (!isValidId(deviceId)) throw new AuthError(4, `token claim device_id ${quote(deviceId)} is not a valid id`)
  if (!isDeviceType(deviceType)) throw new AuthError(4, `token claim device_type ${quote(deviceType)} is not a device type`)
  return { salonId, deviceId, deviceType }
}

/**
 * Verify device tokens signed with the configured key, algorithms pinned. CONNACK codes: 4 for a
 * missing, malformed, expired, wrongly signed or wrongly typed token, a missing claim, or a
 * `device_id` other than the username; 5 for a device of another salon; 2 for a client id that
 * is not `${device_type}-${device_id}`.
 */
export function createJwtAuthenticator (options: JwtAuthenticatorOptions): Authenticator {
  const { key } = options.keys
  const verifyOptions: JWTVerifyOptions = {
    algorithms: [...options.keys.algorithms],
    requiredClaims: [...REQUIRED_CLAIMS],
    clockTolerance: options.clockToleranceSec,
    ...(options.issuer === null ? {} : { issuer: options.issuer }),
    ...(options.audience === null ? {} : { audience: options.audience })
  }
  const check = verifierFor(key, verifyOptions)

  async function claimsOf (token: string): Promise<JWTPayload> {
    try {
      return await check(token)
    } catch (err) {
      throw new AuthError(4, describe(err), { cause: err })
    }
  }

  return {
    async verify (credentials) {
      const { username, password } = presented(credentials)
      const identity = identityOf(await claimsOf(password))
      if (identity.deviceId !== username) {
        throw new AuthError(4, `token is for device ${quote(identity.deviceId)}, not for username ${quote(username)}`)
      }
      return bindIdentity(identity, credentials, options.salonId)
    }
  }
}
