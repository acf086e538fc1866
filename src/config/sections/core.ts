/**
 * The hub core's configuration keys: data directory, listeners, HTTP, limits, store and logs.
 * Every key has a default and a description; `config/mango-broker.example.json` mirrors them.
 */
const port = (description: string, dflt: number, nullable = false) => ({ type: nullable ? ['integer', 'null'] : 'integer', minimum: 0, maximum: 65535, default: dflt, description }) as const

export const coreProperties = {
  salonId: {
    type: ['string', 'null'],
    pattern: '^[A-Za-z0-9_-]{1,64}$',
    default: null,
    description: 'The salon this hub serves. Devices of other salons are refused. Required unless auth.mode is "open".'
  },
  dataDir: {
    type: 'string',
    minLength: 1,
    default: './data',
    description: 'Directory of the hub\'s LevelDB (sessions, subscriptions, retained messages, queues, devices, bridge outbox). Created if its parent exists.'
  },
  mqtt: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'MQTT 3.1.1 over plain TCP.',
    properties: {
      host: { type: 'string', default: '0.0.0.0', description: 'Address the MQTT listener binds.' },
      port: port('MQTT TCP port (0 picks a free port, for tests).', 1883)
    }
  },
  ws: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'MQTT over WebSocket (ws library, not websocket-stream).',
    properties: {
      host: { type: 'string', default: '0.0.0.0', description: 'Address the WebSocket listener binds.' },
      port: port('WebSocket port; 0 or null disables the listener.', 8083, true),
      path: { type: 'string', pattern: '^/', default: '/mqtt', description: 'HTTP path of the WebSocket endpoint.' }
    }
  },
  tls: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'MQTT over TLS; on when both cert and key are set.',
    properties: {
      host: { type: 'string', default: '0.0.0.0', description: 'Address the TLS listener binds.' },
      port: port('MQTT over TLS port.', 8883),
      cert: { type: ['string', 'null'], default: null, description: 'PEM certificate chain file.' },
      key: { type: ['string', 'null'], default: null, description: 'PEM private key file.' }
    }
  },
  http: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'Health, readiness, status and metrics over HTTP.',
    properties: {
      host: { type: 'string', default: '0.0.0.0', description: 'Address the HTTP server binds.' },
      port: port('HTTP port (0 picks a free port, for tests); null disables HTTP.', 8080, true)
    }
  },
  limits: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'Bounds that protect the hub from devices and bad input.',
    properties: {
      maxConnections: { type: 'integer', minimum: 1, default: 50, description: 'Connections accepted at once over all listeners; the next one gets CONNACK 0x03 and is closed.' },
      maxPacketSize: { type: 'integer', minimum: 64, maximum: 268435455, default: 1048576, description: 'Largest MQTT packet accepted, in bytes (1 MiB fits a base64 PNG signature); a larger one closes the connection before it is buffered.' },
      maxQueuedMessages: { type: 'integer', minimum: 1, default: 10000, description: 'Messages kept for one persistent session while it is offline or behind.' },
      maxQueuedBytes: { type: 'integer', minimum: 1024, default: 67108864, description: 'Payload bytes kept for one persistent session.' },
      queueFullPolicy: { type: 'string', enum: ['drop-oldest', 'drop-new'], default: 'drop-oldest', description: 'What a full session queue gives up: its oldest message, or the new one. Either way a warning is logged and mango_queue_dropped_total counts it.' },
      connectTimeoutMs: { type: 'integer', minimum: 100, default: 10000, description: 'A connection that has not sent CONNECT by then is closed.' },
      keepaliveMaxSeconds: { type: 'integer', minimum: 0, maximum: 65535, default: 0, description: 'Largest keepalive a client may ask for (0: any); larger gets CONNACK refusal.' },
      maxClientBufferBytes: { type: 'integer', minimum: 65536, default: 8388608, description: 'Bytes waiting in one connection\'s send buffer before the hub treats it as a reader that never drains and closes it (its persistent session keeps its queue).' },
      maxInflightInbound: { type: 'integer', minimum: 1, default: 1000, description: 'Inbound QoS 2 messages one client may have awaiting PUBREL.' }
    }
  },
  store: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'How the LevelDB store writes.',
    properties: {
      fsync: { type: 'boolean', default: true, description: 'Flush to disk (fsync, group commit) before a QoS 1/2 publish, subscription or session change is acknowledged. false: acknowledged once in the OS cache (survives a process kill, not a power cut).' }
    }
  },
  log: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'Logging (JSON lines on stdout).',
    properties: {
      level: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', description: 'Lowest level written.' }
    }
  },
  shutdown: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'Graceful shutdown.',
    properties: {
      timeoutMs: { type: 'integer', minimum: 100, default: 10000, description: 'Deadline for a graceful close; past it the process exits non-zero.' }
    }
  }
} as const

/** The validated core keys. */
export interface CoreConfig {
  readonly salonId: string | null
  readonly dataDir: string
  readonly mqtt: { readonly host: string, readonly port: number }
  readonly ws: { readonly host: string, readonly port: number | null, readonly path: string }
  readonly tls: { readonly host: string, readonly port: number, readonly cert: string | null, readonly key: string | null }
  readonly http: { readonly host: string, readonly port: number | null }
  readonly limits: {
    readonly maxConnections: number
    readonly maxPacketSize: number
    readonly maxQueuedMessages: number
    readonly maxQueuedBytes: number
    readonly queueFullPolicy: 'drop-oldest' | 'drop-new'
    readonly connectTimeoutMs: number
    readonly keepaliveMaxSeconds: number
    readonly maxClientBufferBytes: number
    readonly maxInflightInbound: number
  }
  readonly store: { readonly fsync: boolean }
  readonly log: { readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' }
  readonly shutdown: { readonly timeoutMs: number }
}
