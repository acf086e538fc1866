/**
 * Choose the authenticator of a hub from `auth.mode`: `devices` (default), `jwt` or `open`.
 */
import { type AuthMode, type AuthSection } from '../config/sections/auth.js'
import { ConfigError } from '../errors.js'
import { createDeviceAuthenticator } from './device-authenticator.js'
import { type TokenRegistry } from './device-registry.js'
import { isValidId } from './ids.js'
import { createJwtAuthenticator } from './jwt-authenticator.js'
import { loadJwtKeys } from './jwt-keys.js'
import { createOpenAuthenticator } from './open-authenticator.js'
import { type Authenticator, type Credentials } from './types.js'

/** The authenticator of a hub, with what the caller must know about it. */
export interface HubAuthenticator extends Authenticator {
  readonly mode: AuthMode
  /** True in `open` mode: the caller logs `OPEN_MODE_WARNING` at warn level when the hub starts. */
  readonly insecure: boolean
}

/** What the authenticators need from the hub. */
export interface AuthenticatorDeps {
  /** The hub's `salonId`; null is allowed in `open` mode only, where devices get {@link DEV_SALON_ID}. */
  readonly salonId: string | null
  /** The local device registry (used in `devices` mode). */
  readonly registry: TokenRegistry
}

/** The salon of every device of an `open`-mode hub that has no `salonId` configured. */
export const DEV_SALON_ID = 'dev'

/** The salon id the hub's ACL and envelope check must use: `salonId`, or {@link DEV_SALON_ID} in open mode without one. */
export function effectiveSalonId (mode: AuthMode, salonId: string | null): string {
  if (salonId !== null) {
    if (!isValidId(salonId)) throw new ConfigError([`salonId must be 1 to 64 letters, digits, "_" or "-" (received ${JSON.stringify(salonId)})`])
    return salonId
  }
  if (mode === 'open') return DEV_SALON_ID
  throw new ConfigError([`salonId is required when auth.mode is ${JSON.stringify(mode)}`])
}

/**
 * Build the authenticator for `auth.mode`. Async because `jwt` mode reads its key files. Throws a
 * `ConfigError` naming the key when `salonId` is missing outside open mode or the JWT keys are unusable.
 */
export async function createAuthenticator (config: AuthSection, deps: AuthenticatorDeps): Promise<HubAuthenticator> {
  const salonId = effectiveSalonId(config.mode, deps.salonId)
  switch (config.mode) {
    case 'devices':
      return { mode: 'devices', insecure: false, ...createDeviceAuthenticator({ salonId, registry: deps.registry }) }
    case 'jwt': {
      const keys = await loadJwtKeys(config.jwt)
      const { issuer, audience, clockToleranceSec } = config.jwt
      return { mode: 'jwt', insecure: false, ...createJwtAuthenticator({ salonId, keys, issuer, audience, clockToleranceSec }) }
    }
    case 'open':
      return { mode: 'open', insecure: true, ...createOpenAuthenticator({ salonId }) }
  }
}

/** The fields of a CONNECT worth logging: never the password. */
export function credentialsForLog (credentials: Credentials): { clientId: string, username: string | null, remoteAddress: string | null, passwordBytes: number } {
  return {
    clientId: credentials.clientId,
    username: credentials.username ?? null,
    remoteAddress: credentials.remoteAddress ?? null,
    passwordBytes: credentials.password?.length ?? 0
  }
}
