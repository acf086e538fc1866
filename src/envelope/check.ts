/**
 * The envelope check of device publishes: pure, over the raw payload bytes. A refusal reason is
 * short, names the field and never holds the payload (only ids from `source`, quoted and cut).
 */
import { isDeviceType, quote } from '../auth/ids.js'
import { type DeviceIdentity } from '../auth/types.js'

/** The outcome of an envelope check. */
export type EnvelopeVerdict = { readonly ok: true } | { readonly ok: false, readonly reason: string }

/** Limits of the check. */
export interface EnvelopeLimits {
  /** Largest payload accepted, in bytes. */
  readonly maxBytes: number
}

const OK: EnvelopeVerdict = { ok: true }
const refuse = (reason: string): EnvelopeVerdict => ({ ok: false, reason })
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Longest `id` accepted: a UUID is 36 characters; the bridge keeps ids in a dedupe window. */
const MAX_ID_LENGTH = 200

/** ISO 8601 date-time with a zone (`2025-01-04T10:30:00.000Z`, `…+01:00`), as `Date.prototype.toISOString` and the seed write it. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/** True when `value` is an ISO 8601 date-time with a zone naming a real calendar date. */
export function isIsoTimestamp (value: unknown): boolean {
  if (typeof value !== 'string') return false
  const m = ISO_8601.exec(value)
  if (m === null) return false
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day &&
    hour < 24 && minute < 60 && second < 60
}

function parseObject (payload: Buffer): Record<string, unknown> | string {
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(payload))
  } catch {
    // The parser's message quotes the payload, so it is never passed on.
    return 'payload is not valid UTF-8 JSON'
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'envelope must be a JSON object'
  return value as Record<string, unknown>
}

function checkSource (source: unknown, identity: DeviceIdentity): string | null {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return 'source must be an object with deviceId, deviceType and salonId'
  const s = source as Record<string, unknown>
  for (const field of ['deviceId', 'deviceType', 'salonId'] as const) {
    if (typeof s[field] !== 'string') return `source.${field} must be a string`
  }
  if (!isDeviceType(s.deviceType)) return `source.deviceType ${quote(s.deviceType)} is not a device type`
  const device = `the authenticated device ${quote(identity.deviceId)}`
  if (s.deviceId !== identity.deviceId) return `source.deviceId ${quote(s.deviceId)} does not match ${device}`
  if (s.deviceType !== identity.deviceType) return `source.deviceType ${quote(s.deviceType)} does not match ${device} (${identity.deviceType})`
  if (s.salonId !== identity.salonId) return `source.salonId ${quote(s.salonId)} does not match ${device} (salon ${quote(identity.salonId)})`
  return null
}

/**
 * Check one device publish against the seed's envelope: a JSON object with `id` (non-empty
 * string), `timestamp` (ISO 8601), `source` equal to the authenticated identity, `payload`
 * present (any JSON value, null included) and `version` (positive integer). Extra top-level
 * fields are allowed (newer formats). An empty retained payload (clearing a retained message,
 * [MQTT-3.3.1-10]) is allowed.
 */
export function checkEnvelope (identity: DeviceIdentity, payload: Buffer, retain: boolean, limits: EnvelopeLimits): EnvelopeVerdict {
  if (payload.length === 0) return retain ? OK : refuse('empty payload (only a retained clear may be empty)')
  if (payload.length > limits.maxBytes) return refuse(`payload of ${payload.length} bytes exceeds envelope.maxBytes (${limits.maxBytes})`)
  const envelope = parseObject(payload)
  if (typeof envelope === 'string') return refuse(envelope)
  if (typeof envelope.id !== 'string' || envelope.id.length === 0) return refuse('id must be a non-empty string')
  if (envelope.id.length > MAX_ID_LENGTH) return refuse(`id must be at most ${MAX_ID_LENGTH} characters`)
  if (!isIsoTimestamp(envelope.timestamp)) return refuse('timestamp must be an ISO 8601 date-time with a zone')
  const source = checkSource(envelope.source, identity)
  if (source !== null) return refuse(source)
  if (!Object.hasOwn(envelope, 'payload')) return refuse('payload is missing')
  if (typeof envelope.version !== 'number' || !Number.isSafeInteger(envelope.version) || envelope.version < 1) {
    return refuse('version must be a positive integer')
  }
  return OK
}
