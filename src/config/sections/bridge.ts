/**
 * The `bridge` section of the hub configuration: the link from this salon's hub to the cloud broker.
 * Absent `url` (null) means the bridge is off.
 */
export const bridgeSection = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'Cloud bridge: forwards salon/{salonId}/# between the hub and the cloud broker at QoS 1, through a durable outbox.',
  properties: {
    url: {
      type: ['string', 'null'],
      pattern: '^mqtts?://[^/?#@\\s]+/?$',
      default: null,
      description: 'Cloud broker URL, e.g. mqtts://mqtt.example.com:8883. null turns the bridge off.'
    },
    username: {
      type: ['string', 'null'],
      default: null,
      description: 'User name presented to the cloud broker. null means the salonId.'
    },
    password: {
      type: ['string', 'null'],
      default: null,
      description: 'Bridge token presented to the cloud broker (environment: MANGO_BROKER_BRIDGE_PASSWORD). Never logged.'
    },
    ca: {
      type: ['string', 'null'],
      default: null,
      description: 'Path of a PEM file with the CA certificate(s) that sign the cloud broker certificate. null means the system trust store.'
    },
    cert: {
      type: ['string', 'null'],
      default: null,
      description: 'Path of a PEM client certificate for mutual TLS. null means none.'
    },
    key: {
      type: ['string', 'null'],
      default: null,
      description: 'Path of the PEM private key of `cert`. null means none.'
    },
    rejectUnauthorized: {
      type: 'boolean',
      default: true,
      description: 'Refuse a cloud broker whose certificate does not verify against `ca` (or the system trust store) and its host name.'
    },
    clientId: {
      type: ['string', 'null'],
      minLength: 1,
      maxLength: 65535,
      default: null,
      description: 'MQTT client identifier on the cloud; it names the persistent cloud session. null means mango-hub-{salonId}.'
    },
    topics: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      default: [{ filter: 'salon/{salonId}/#', direction: 'both', qos: 1 }],
      description: 'What is forwarded. Every filter must stay inside salon/{salonId}/ ({salonId} is replaced by the hub salon).',
      items: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          filter: {
            type: 'string',
            minLength: 1,
            maxLength: 65535,
            default: 'salon/{salonId}/#',
            description: 'MQTT topic filter (wildcards + and # allowed) inside salon/{salonId}/.'
          },
          direction: {
            type: 'string',
            enum: ['in', 'out', 'both'],
            default: 'both',
            description: 'in: cloud to hub; out: hub to cloud; both.'
          },
          qos: {
            type: 'integer',
            enum: [0, 1],
            default: 1,
            description: 'Highest QoS used on the cloud link for this filter (QoS 2 is not used on the link; see the bridge documentation).'
          }
        }
      }
    },
    keepalive: {
      type: 'integer',
      minimum: 5,
      maximum: 65535,
      default: 30,
      description: 'MQTT keepalive in seconds; a link that answers no PINGREQ within 1.5 times this is declared dead and reconnected.'
    },
    sessionExpirySeconds: {
      type: 'integer',
      minimum: 0,
      maximum: 4294967295,
      default: 604800,
      description: 'MQTT 5 session expiry asked of the cloud: how long it keeps queueing for the hub while the link is down.'
    },
    backoff: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Reconnect delays: exponential from initialMs, capped at maxMs, with jitter. Refused credentials or topics wait maxMs.',
      properties: {
        initialMs: {
          type: 'integer',
          minimum: 10,
          maximum: 3600000,
          default: 1000,
          description: 'Delay before the first reconnect attempt, in milliseconds.'
        },
        maxMs: {
          type: 'integer',
          minimum: 10,
          maximum: 86400000,
          default: 60000,
          description: 'Longest delay between reconnect attempts, in milliseconds.'
        }
      }
    },
    inflight: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      default: 100,
      description: 'QoS 1 messages sent to the cloud and not yet acknowledged, at most (lowered to the cloud\'s Receive Maximum).'
    },
    outbox: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Bounds of the durable hub-to-cloud outbox kept while the cloud is unreachable.',
      properties: {
        maxMessages: {
          type: 'integer',
          minimum: 1,
          maximum: 10000000,
          default: 100000,
          description: 'Most messages kept.'
        },
        maxBytes: {
          type: 'integer',
          minimum: 1024,
          maximum: 17179869184,
          default: 67108864,
          description: 'Most bytes kept (topic, payload and a small header per message).'
        },
        maxAgeSeconds: {
          type: 'integer',
          minimum: 1,
          maximum: 31536000,
          default: 604800,
          description: 'Messages older than this are dropped unsent (counted and logged).'
        },
        whenFull: {
          type: 'string',
          enum: ['drop-oldest', 'refuse-new'],
          default: 'drop-oldest',
          description: 'drop-oldest: make room by dropping the oldest unsent messages; refuse-new: keep the backlog and do not forward new ones. Both count and log.'
        }
      }
    },
    dedupe: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Window of recently forwarded (topic, envelope id) pairs used to drop echoes and redeliveries.',
      properties: {
        windowSize: {
          type: 'integer',
          minimum: 0,
          maximum: 1000000,
          default: 10000,
          description: 'Most ids remembered per direction; 0 turns deduplication off.'
        },
        windowSeconds: {
          type: 'integer',
          minimum: 1,
          maximum: 604800,
          default: 3600,
          description: 'How long an id is remembered, in seconds.'
        }
      }
    }
  }
} as const

/** Direction of a forwarded topic filter. */
export type BridgeDirection = 'in' | 'out' | 'both'

/** One forwarded topic filter as configured (`{salonId}` not yet replaced). */
export interface BridgeTopicConfig {
  readonly filter: string
  readonly direction: BridgeDirection
  readonly qos: 0 | 1
}

/** The validated `bridge` section. */
export interface BridgeConfig {
  readonly url: string | null
  readonly username: string | null
  readonly password: string | null
  readonly ca: string | null
  readonly cert: string | null
  readonly key: string | null
  readonly rejectUnauthorized: boolean
  readonly clientId: string | null
  readonly topics: readonly BridgeTopicConfig[]
  readonly keepalive: number
  readonly sessionExpirySeconds: number
  readonly backoff: { readonly initialMs: number, readonly maxMs: number }
  readonly inflight: number
  readonly outbox: {
    readonly maxMessages: number
    readonly maxBytes: number
    readonly maxAgeSeconds: number
    readonly whenFull: 'drop-oldest' | 'refuse-new'
  }
  readonly dedupe: { readonly windowSize: number, readonly windowSeconds: number }
}
