/**
 * Registration of the hub in Supabase's `salon_devices` table, so that devices find the hub on
 * the LAN (the seed's connection flow). Off while `supabaseUrl` is null; MQTT never depends on it.
 */
export const registrySection = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'Registration of the hub in Supabase (table salon_devices) so devices find it on the LAN. Off while supabaseUrl is null; the MQTT service never depends on it.',
  properties: {
    supabaseUrl: {
      type: ['string', 'null'],
      pattern: '^https?://[^\\s]+$',
      default: null,
      description: 'Base URL of the Supabase project (https://<ref>.supabase.co). null turns registration off.'
    },
    supabaseKey: {
      type: ['string', 'null'],
      minLength: 1,
      default: null,
      description: 'Supabase key the hub writes with: the service_role key, or a JWT with role "authenticated" and claims salon_id and device_type "store-app" that the shipped row-level-security policies admit. Also read from MANGO_BROKER_SUPABASE_KEY. Never logged. Required when supabaseUrl is set.'
    },
    deviceId: {
      type: ['string', 'null'],
      pattern: '^[A-Za-z0-9_-]{1,64}$',
      default: null,
      description: 'device_id of the hub\'s row; null means "hub-{salonId}". Keep it stable: a restart updates the row with the same (salon_id, device_id).'
    },
    heartbeatSeconds: {
      type: 'integer',
      minimum: 1,
      maximum: 3600,
      default: 30,
      description: 'Seconds between heartbeats; each one rewrites the hub\'s row (last_seen, and local_ip if the address changed).'
    },
    advertiseAddress: {
      type: ['string', 'null'],
      pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$',
      default: null,
      description: 'Address written to local_ip instead of the detected one (the IPv4 of the default route\'s interface, else the first private IPv4 of a non-virtual interface).'
    },
    table: {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$',
      default: 'salon_devices',
      description: 'Table (in the public schema) the hub and enrolled devices are registered in.'
    },
    requestTimeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 120000,
      default: 10000,
      description: 'A request to Supabase that has not answered by then is aborted and counted as a failure.'
    },
    closeTimeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 60000,
      default: 3000,
      description: 'Deadline for marking the row offline (is_online false) at shutdown; keep it below shutdown.timeoutMs.'
    },
    backoff: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Retry delays after a failed request (network error, 401, 5xx): exponential with jitter.',
      properties: {
        initialMs: { type: 'integer', minimum: 10, default: 1000, description: 'Delay after the first failure, in milliseconds.' },
        maxMs: { type: 'integer', minimum: 10, default: 60000, description: 'Largest delay between retries, in milliseconds.' },
        multiplier: { type: 'number', minimum: 1, maximum: 10, default: 2, description: 'Factor applied to the delay after each further failure.' },
        jitter: { type: 'number', minimum: 0, maximum: 1, default: 0.2, description: 'Fraction by which each delay is spread at random either way, so many hubs do not retry in step.' }
      }
    }
  }
} as const

/** The validated `registry` section. */
export interface RegistryConfig {
  readonly supabaseUrl: string | null
  readonly supabaseKey: string | null
  readonly deviceId: string | null
  readonly heartbeatSeconds: number
  readonly advertiseAddress: string | null
  readonly table: string
  readonly requestTimeoutMs: number
  readonly closeTimeoutMs: number
  readonly backoff: {
    readonly initialMs: number
    readonly maxMs: number
    readonly multiplier: number
    readonly jitter: number
  }
}
