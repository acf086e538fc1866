/**
 * The envelope id of a message, as the seed's `MqttMessage` defines it (`{ id, timestamp, source, payload, version }`).
 * Pure: no I/O.
 */

/** Longest id kept, in UTF-8 bytes; a longer one is treated as absent (the seed uses UUIDs). */
export const MAX_ENVELOPE_ID_BYTES = 255

/**
 * The `id` string of a JSON object payload, or `null` when the payload is not a JSON object,
 * has no non-empty string `id`, or the id is longer than `MAX_ENVELOPE_ID_BYTES`.
 * Messages without an id are forwarded without deduplication.
 */
export function envelopeId (payload: Buffer): string | null {
  const start = firstNonSpace(payload)
  if (start === -1 || payload[start] !== 0x7b /* { */) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(payload.toString('utf8'))
  } catch {
    return null
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null
  const id: unknown = (parsed as Record<string, unknown>).id
  if (typeof id !== 'string' || id.length === 0) return null
  if (Buffer.byteLength(id, 'utf8') > MAX_ENVELOPE_ID_BYTES) return null
  return id
}

function firstNonSpace (buf: Buffer): number {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i
  }
  return -1
}
