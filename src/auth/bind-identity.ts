/**
 * The checks every authenticator makes once a token is verified: the device belongs to this
 * hub's salon, and the connection uses the device's own client id.
 */
import { AuthError } from '../errors.js'
import { clientIdOf, quote } from './ids.js'
import { type Credentials, type DeviceIdentity } from './types.js'

/**
 * Admit a verified identity, or throw an `AuthError`: a device of another salon gets 5 (not
 * authorised), and a client id other than `${deviceType}-${deviceId}` gets 2 (identifier
 * rejected), so a device can never take over another device's persistent session.
 */
export function bindIdentity (identity: DeviceIdentity, credentials: Credentials, hubSalonId: string): DeviceIdentity {
  if (identity.salonId !== hubSalonId) {
    throw new AuthError(5, `device ${quote(identity.deviceId)} belongs to salon ${quote(identity.salonId)}, not to this hub's salon ${quote(hubSalonId)}`)
  }
  const expected = clientIdOf(identity)
  if (credentials.clientId !== expected) {
    throw new AuthError(2, `client id ${quote(credentials.clientId)} is not the client id of device ${quote(identity.deviceId)} (${quote(expected)})`)
  }
  return identity
}

/** Longest password read as a token: a device token is 43 characters, a JWT a few hundred bytes. */
export const MAX_PASSWORD_BYTES = 8192

/** The username and password as strings, or an `AuthError` 4 when either is missing, empty or too long. */
export function presented (credentials: Credentials): { username: string, password: string } {
  const { username, password } = credentials
  if (username === undefined || username.length === 0 || password === undefined || password.length === 0) {
    throw new AuthError(4, 'username (device id) and password (device token) are required')
  }
  if (password.length > MAX_PASSWORD_BYTES) throw new AuthError(4, `password longer than ${MAX_PASSWORD_BYTES} bytes`)
  return { username, password: password.toString('utf8') }
}
