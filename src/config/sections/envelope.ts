/**
 * The `envelope` section: where the hub checks the seed's JSON envelope on device publishes.
 */

/** The validated `envelope` section. */
export interface EnvelopeSection {
  readonly enabled: boolean
  /** Filters the check applies to; `{salonId}` is the hub's salon. */
  readonly topics: readonly string[]
  readonly maxBytes: number
}

/** The JSON Schema of the `envelope` section. */
export const envelopeSection = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'The seed\'s message envelope (id, timestamp, source, payload, version) checked on device publishes. A publish that fails the check is dropped like a forbidden publish.',
  properties: {
    enabled: {
      type: 'boolean',
      default: true,
      description: 'Check the envelope of device publishes on the topics below. Messages from the bridge and the hub itself are not checked.'
    },
    topics: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: ['salon/{salonId}/#'],
      description: 'Topic filters whose device publishes must carry the envelope; {salonId} is the hub\'s salon.'
    },
    maxBytes: {
      type: 'integer',
      minimum: 64,
      maximum: 268435455,
      default: 524288,
      description: 'Largest envelope accepted, in bytes (512 KiB: a base64 PNG signature is typically well under 100 KiB); a larger publish on a checked topic is dropped.'
    }
  }
} as const
