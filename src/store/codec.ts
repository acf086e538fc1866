/**
 * Binary encoding of the packets the store keeps (queued, retained, incoming, wills). Compact
 * and allocation-light: one header, three length-prefixed strings, then the payload.
 *
 *   0      version (1)
 *   1      flags: bits 0-1 qos, bit 2 retain, bit 3 dup, bit 4 pubrel marker
 *   2..9   brokerCounter (float64 BE)
 *   10..11 messageId (uint16, 0 = none)
 *   then   u16 length + UTF-8 for topic, brokerId, clientId; the rest is the payload
 */
export interface StoredPacket {
  readonly cmd: 'publish' | 'pubrel'
  readonly topic: string
  readonly payload: Buffer
  readonly qos: 0 | 1 | 2
  readonly retain: boolean
  readonly dup: boolean
  readonly brokerId: string
  readonly brokerCounter: number
  readonly messageId: number | undefined
  readonly clientId: string | undefined
}

const VERSION = 1
const HEADER = 12

export function encodePacket (p: StoredPacket): Buffer {
  const topic = Buffer.from(p.topic, 'utf8')
  const brokerId = Buffer.from(p.brokerId, 'utf8')
  const clientId = Buffer.from(p.clientId ?? '', 'utf8')
  const out = Buffer.allocUnsafe(HEADER + 6 + topic.length + brokerId.length + clientId.length + p.payload.length)
  out[0] = VERSION
  out[1] = (p.qos & 3) | (p.retain ? 4 : 0) | (p.dup ? 8 : 0) | (p.cmd === 'pubrel' ? 16 : 0)
  out.writeDoubleBE(p.brokerCounter, 2)
  out.writeUInt16BE(p.messageId ?? 0, 10)
  let at = HEADER
  for (const part of [topic, brokerId, clientId]) {
    out.writeUInt16BE(part.length, at)
    part.copy(out, at + 2)
    at += 2 + part.length
  }
  p.payload.copy(out, at)
  return out
}

export function decodePacket (buf: Buffer): StoredPacket {
  if (buf.length < HEADER + 6 || buf[0] !== VERSION) throw new Error(`stored packet has unknown format (version ${String(buf[0])}, ${buf.length} bytes)`)
  const flags = buf[1] as number
  const strings: string[] = []
  let at = HEADER
  for (let i = 0; i < 3; i++) {
    const len = buf.readUInt16BE(at)
    strings.push(buf.toString('utf8', at + 2, at + 2 + len))
    at += 2 + len
  }
  const messageId = buf.readUInt16BE(10)
  const clientId = strings[2] as string
  return {
    cmd: (flags & 16) !== 0 ? 'pubrel' : 'publish',
    qos: (flags & 3) as 0 | 1 | 2,
    retain: (flags & 4) !== 0,
    dup: (flags & 8) !== 0,
    brokerCounter: buf.readDoubleBE(2),
    messageId: messageId === 0 ? undefined : messageId,
    topic: strings[0] as string,
    brokerId: strings[1] as string,
    clientId: clientId === '' ? undefined : clientId,
    // a copy, so the LevelDB read buffer is not pinned by a long-lived retained message
    payload: Buffer.from(buf.subarray(at))
  }
}

/** Counter keys sort in numeric order: 16 digits hold Number.MAX_SAFE_INTEGER. */
export function padCounter (n: number): string {
  return n.toString().padStart(16, '0')
}
