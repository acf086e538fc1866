/**
 * `auth.mode: devices`: username = device id, password = device token, checked against the
 * hub's local registry (offline).
 */
import { AuthError } from '../errors.js'
import { bindIdentity, presented } from './bind-identity.js'
import { type TokenRegistry } from './device-registry.js'
import { quote } from './ids.js'
import { type Authenticator } from './types.js'

/**
 * Verify devices against the local registry. CONNACK codes: 4 for missing credentials, an
 * unknown device or a wrong token; 5 for a revoked device (with its right token) or a device
 * of another salon; 2 for a client id that is not `${deviceType}-${deviceId}`.
 */
export function createDeviceAuthenticator (options: { readonly salonId: string, readonly registry: TokenRegistry }): Authenticator {
  const { salonId, registry } = options
  return {
    async verify (credentials) {
      const { username, password } = presented(credentials)
      const result = await registry.check(username, password)
      if (result.kind === 'unknown') throw new AuthError(4, `unknown device ${quote(username)}`)
      if (result.kind === 'mismatch') throw new AuthError(4, `wrong token for device ${quote(username)}`)
      if (result.device.revokedAt !== null) throw new AuthError(5, `device ${quote(username)} was revoked at ${result.device.revokedAt}`)
      const { salonId: deviceSalon, deviceId, deviceType } = result.device
      return bindIdentity({ salonId: deviceSalon, deviceId, deviceType }, credentials, salonId)
    }
  }
}
