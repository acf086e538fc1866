import { type RegistryConfig } from '../config/sections/registry.js'

/** What registration will do, decided from the configuration alone (pure). */
export type RegistrationPlan =
  | { readonly enabled: true, readonly url: string, readonly host: string, readonly key: string, readonly salonId: string, readonly deviceId: string }
  | { readonly enabled: false, readonly reason: string, readonly severity: 'info' | 'error', readonly salonId: string | null, readonly deviceId: string | null }

/**
 * Registration is on when `supabaseUrl`, `supabaseKey` and the hub's salon id are all set.
 * Without a URL it is simply off (info); a URL without a key or salon id is a configuration
 * mistake the operator must see (error), but it still never stops the hub.
 */
export function registrationPlan (config: RegistryConfig, salonId: string | null): RegistrationPlan {
  const deviceId = config.deviceId ?? (salonId === null ? null : `hub-${salonId}`)
  if (config.supabaseUrl === null) {
    return { enabled: false, reason: 'registry.supabaseUrl is not set', severity: 'info', salonId, deviceId }
  }
  let host: string
  try {
    host = new URL(config.supabaseUrl).host
  } catch {
    return { enabled: false, reason: 'registry.supabaseUrl is not a valid URL', severity: 'error', salonId, deviceId }
  }
  if (config.supabaseKey === null || config.supabaseKey === '') {
    return { enabled: false, reason: 'registry.supabaseKey (or MANGO_BROKER_SUPABASE_KEY) is not set', severity: 'error', salonId, deviceId }
  }
  if (salonId === null || deviceId === null) {
    return { enabled: false, reason: 'salonId is not set', severity: 'error', salonId, deviceId }
  }
  return { enabled: true, url: config.supabaseUrl, host, key: config.supabaseKey, salonId, deviceId }
}
