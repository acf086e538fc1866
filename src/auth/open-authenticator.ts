/**
 * `auth.mode: open`, for development only: admits every connection without checking a token.
 * The ACL (role table and deny rules) still applies to the identity derived here.
 */
import { isValidId, parseClientId } from './ids.js'
import { type Authenticator, type DeviceIdentity } from './types.js'

/** What the caller logs at warn level when the hub starts in open mode. */
export const OPEN_MODE_WARNING = 'auth.mode is "open": EVERY connection is admitted without a token. Development only; never run a salon like this.'

/** The device id of an open-mode connection whose client id is not a usable id. */
export const ANONYMOUS_DEVICE_ID = 'anonymous'

/**
 * The identity of an open-mode connection: a client id of the shape `${deviceType}-${deviceId}`
 * gets that type's role; any other client id is a `store-app` (full access to the hub's salon,
 * as the seed's `allow_anonymous true` gave) whose device id is the client id, or `anonymous`
 * when the client id is not a valid id. The salon is always the hub's.
 */
export function openIdentity (clientId: string, salonId: string): DeviceIdentity {
  const parsed = parseClientId(clientId)
  if (parsed !== null) return { salonId, ...parsed }
  return { salonId, deviceType: 'store-app', deviceId: isValidId(clientId) ? clientId : ANONYMOUS_DEVICE_ID }
}

/** Admit anyone (development only); see {@link openIdentity}. */
export function createOpenAuthenticator (options: { readonly salonId: string }): Authenticator {
  return {
    verify (credentials) {
      return Promise.resolve(openIdentity(credentials.clientId, options.salonId))
    }
  }
}
