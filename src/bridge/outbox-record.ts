/**
 * How one outbox message is stored: its key (a zero-padded sequence number, so LevelDB's byte order
 * is publish order) and its value (a small binary header, the topic, the envelope id, the payload).
 * Pure: no I/O.
 */

/** Prefix of outbox message keys inside the bridge sublevel. */
export const MESSAGE_PREFIX = 'o:'
/** Upper bound (exclusive) of message keys: ';' sorts right after ':'. */
export const MESSAGE_PREFIX_END = 'o;'
/** Key holding the last sequence number handed out, so numbering survives an emptied outbox. */
export const SEQUENCE_KEY = 's:seq'
/** Key holding the cloud subscriptions last granted (see cloud-link). */
export const SUBSCRIPTIONS_KEY = 's:subs'

const SEQ_DIGITS = 16 // Number.MAX_SAFE_INTEGER has 16 digits
const FORMAT_VERSION = 1
const HEADER_BYTES = 13

/** A message waiting in the outbox. */
export interface OutboxRecord {
  readonly topic: string
  readonly payload: Buffer
  /** QoS used on the cloud link. */
  readonly qos: 0 | 1
  readonly retain: boolean
  /** When the hub took the message, in ms since the epoch (for the age bound). */
  readonly takenAt: number
  /** Envelope id, or null. */
  readonly envelopeId: string | null
}

/** The key of sequence number `seq`. */
export function messageKey (seq: number): string {
  return MESSAGE_PREFIX + String(seq).padStart(SEQ_DIGITS, '0')
}

/** The sequence number of a message key, or null when the key is not one. */
export function sequenceOf (key: string): number | null {
  if (!key.startsWith(MESSAGE_PREFIX)) return null
  const digits = key.slice(MESSAGE_PREFIX.length)
  if (digits.length !== SEQ_DIGITS || !/^[0-9]+$/.test(digits)) return null
  return Number(digits)
}

/** Encode a record: [version u8][flags u8: qos bits 0-1, retain bit 2][takenAt f64][topic length u16][id length u8] topic id payload. */
export function encodeRecord (record: OutboxRecord): Buffer {
  const topic = Buffer.from(record.topic, 'utf8')
  const id = record.envelopeId === null ? Buffer.alloc(0) : Buffer.from(record.envelopeId, 'utf8')
  if (topic.length > 0xffff) throw new RangeError('topic longer than 65535 bytes')
  if (id.length > 0xff) throw new RangeError('envelope id longer than 255 bytes')
  const header = Buffer.alloc(HEADER_BYTES)
  header.writeUInt8(FORMAT_VERSION, 0)
  header.writeUInt8(record.qos | (record.retain ? 4 : 0), 1)
  header.writeDoubleBE(record.takenAt, 2)
  header.writeUInt16BE(topic.length, 10)
  header.writeUInt8(id.length, 12)
  return Buffer.concat([header, topic, id, record.payload])
}

/** Decode a stored value; throws a RangeError on a value this version did not write. */
export function decodeRecord (value: Buffer): OutboxRecord {
  if (value.length < HEADER_BYTES || value.readUInt8(0) !== FORMAT_VERSION) {
    throw new RangeError('not an outbox record of format version 1')
  }
  const flags = value.readUInt8(1)
  const takenAt = value.readDoubleBE(2)
  const topicLength = value.readUInt16BE(10)
  const idLength = value.readUInt8(12)
  const topicEnd = HEADER_BYTES + topicLength
  const idEnd = topicEnd + idLength
  if (idEnd > value.length) throw new RangeError('truncated outbox record')
  return {
    topic: value.toString('utf8', HEADER_BYTES, topicEnd),
    envelopeId: idLength === 0 ? null : value.toString('utf8', topicEnd, idEnd),
    payload: Buffer.from(value.subarray(idEnd)),
    qos: (flags & 3) === 0 ? 0 : 1,
    retain: (flags & 4) !== 0,
    takenAt
  }
}

/** True when `value` is a well-formed record of this format version (checked at open, without copying). */
export function isRecord (value: Buffer): boolean {
  if (value.length < HEADER_BYTES || value.readUInt8(0) !== FORMAT_VERSION) return false
  return HEADER_BYTES + value.readUInt16BE(10) + value.readUInt8(12) <= value.length && Number.isFinite(value.readDoubleBE(2))
}

/** The takenAt of a stored value without decoding the rest (used when the outbox is opened). */
export function takenAtOf (value: Buffer): number {
  return value.readDoubleBE(2)
}
