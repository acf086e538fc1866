/**
 * Checks that aedes 1.2 and mqtt-packet 9 skip, on the raw bytes of one connection, before they
 * are parsed. Each is a MUST of MQTT 3.1.1 found missing by the fault suite (test/faults):
 * - a CONNECT whose protocol level is not 3 or 4 gets CONNACK 0x01 before the connection closes
 *   [MQTT-3.1.2-2] (mqtt-packet refused levels 0 and 6 outright, so the client got no answer);
 * - a CONNECT with Will QoS 3 [MQTT-3.1.2-14], or Will QoS / Will Retain without the Will Flag
 *   [MQTT-3.1.2-13, -15], closes the connection (it got CONNACK 0);
 * - a topic or topic filter with ill-formed UTF-8 [MQTT-1.5.3-1] or U+0000 [MQTT-1.5.3-2]
 *   closes the connection (it was decoded with U+FFFD and published, or acknowledged and dropped);
 * - a PUBLISH at QoS 1/2, SUBSCRIBE or UNSUBSCRIBE with packet identifier 0 closes the
 *   connection [MQTT-2.3.1-1] (it was acknowledged with id 0).
 * Pure: it sees bytes and decides; the caller answers and closes. It relies on the size guard
 * running first, so a packet it collects is bounded by `limits.maxPacketSize`.
 */

/** What to do with the connection. */
export type Violation = { readonly answer: 'connack-unacceptable-protocol', readonly reason: string } | { readonly answer: 'close', readonly reason: string }

/** CONNACK 0x01 "unacceptable protocol version". */
export const CONNACK_UNACCEPTABLE_PROTOCOL = Buffer.from([0x20, 0x02, 0x00, 0x01])

const CONNECT = 1
const PUBLISH = 3
const SUBSCRIBE = 8
const UNSUBSCRIBE = 10

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Why an MQTT string's bytes are not allowed, or null. */
function badString (bytes: Uint8Array, what: string): string | null {
  if (bytes.includes(0)) return `${what} contains U+0000 [MQTT-1.5.3-2]`
  try {
    utf8.decode(bytes)
  } catch {
    return `${what} is not well-formed UTF-8 [MQTT-1.5.3-1]`
  }
  return null
}

/** The check of one whole packet (type, flags, body), or null when it conforms. Pure. */
export function checkPacket (type: number, flags: number, body: Uint8Array): Violation | null {
  const u16 = (at: number): number => ((body[at] ?? 0) << 8) | (body[at + 1] ?? 0)
  if (type === CONNECT) {
    const nameLength = u16(0)
    const level = body[2 + nameLength]
    if (level !== undefined && level !== 3 && level !== 4) return { answer: 'connack-unacceptable-protocol', reason: `protocol level ${level} is not supported [MQTT-3.1.2-2]` }
    const connectFlags = body[3 + nameLength]
    if (connectFlags === undefined) return null
    const will = (connectFlags & 0x04) !== 0
    const willQos = (connectFlags >> 3) & 3
    if (will && willQos === 3) return { answer: 'close', reason: 'CONNECT with Will QoS 3 [MQTT-3.1.2-14]' }
    if (!will && (willQos !== 0 || (connectFlags & 0x20) !== 0)) return { answer: 'close', reason: 'CONNECT with Will QoS or Will Retain but no Will Flag [MQTT-3.1.2-13] [MQTT-3.1.2-15]' }
    return null
  }
  if (type === PUBLISH) {
    const qos = (flags >> 1) & 3
    const topicLength = u16(0)
    const bad = badString(body.subarray(2, 2 + topicLength), 'PUBLISH topic')
    if (bad !== null) return { answer: 'close', reason: bad }
    if (qos > 0 && u16(2 + topicLength) === 0) return { answer: 'close', reason: 'PUBLISH at QoS > 0 with packet identifier 0 [MQTT-2.3.1-1]' }
    return null
  }
  if (type === SUBSCRIBE || type === UNSUBSCRIBE) {
    const name = type === SUBSCRIBE ? 'SUBSCRIBE' : 'UNSUBSCRIBE'
    if (u16(0) === 0) return { answer: 'close', reason: `${name} with packet identifier 0 [MQTT-2.3.1-1]` }
    // bounded: each step consumes at least two bytes
    for (let at = 2; at + 2 <= body.length;) {
      const length = u16(at)
      const bad = badString(body.subarray(at + 2, at + 2 + length), `${name} topic filter`)
      if (bad !== null) return { answer: 'close', reason: bad }
      at += 2 + length + (type === SUBSCRIBE ? 1 : 0)
    }
  }
  return null
}

/** How many body bytes a check needs: all of SUBSCRIBE and UNSUBSCRIBE, a CONNECT up to its flags, a PUBLISH's topic and packet id. */
function needed (type: number, length: number, head: ArrayLike<number>): number {
  if (type === SUBSCRIBE || type === UNSUBSCRIBE) return length
  const prefix = head.length >= 2 ? (((head[0] as number) << 8) | (head[1] as number)) : -1
  if (type === CONNECT) return Math.min(length, prefix < 0 ? 2 : 4 + prefix)
  if (type === PUBLISH) return Math.min(length, prefix < 0 ? 2 : 4 + prefix)
  return 0
}

/** Follows the packets of one connection across chunks and checks each (see the file comment). */
export class PacketConformance {
  #state: 'type' | 'length' | 'body' = 'type'
  #type = 0
  #flags = 0
  #length = 0
  #multiplier = 1
  #remaining = 0
  #checked = false
  #head: number[] = []

  /** True between packets: everything fed so far was whole packets. */
  get atBoundary (): boolean { return this.#state === 'type' }

  /** Feed the next chunk; the first violation found, or null. */
  feed (chunk: Uint8Array): Violation | null {
    let i = 0
    while (i < chunk.length || (this.#state === 'body' && !this.#checked && this.#remaining === 0)) {
      if (this.#state === 'type') {
        const byte = chunk[i++] as number
        this.#type = byte >> 4
        this.#flags = byte & 0x0f
        this.#length = 0
        this.#multiplier = 1
        this.#state = 'length'
      } else if (this.#state === 'length') {
        const byte = chunk[i++] as number
        this.#length += (byte & 0x7f) * this.#multiplier
        this.#multiplier *= 128
        // a malformed length (more than 4 bytes) is the size guard's to refuse
        if ((byte & 0x80) !== 0 && this.#multiplier < 128 ** 4) continue
        this.#remaining = this.#length
        this.#head = []
        this.#checked = false
        this.#state = 'body'
      } else {
        if (!this.#checked && this.#head.length === 0) {
          // the common case: what the check needs is all in this chunk, checked in place without a copy
          const view = chunk.subarray(i, i + Math.min(this.#remaining, chunk.length - i))
          const need = needed(this.#type, this.#length, view)
          if (view.length >= need) {
            this.#checked = true
            const verdict = need === 0 ? null : checkPacket(this.#type, this.#flags, view.subarray(0, need))
            if (verdict !== null) return verdict
          }
        }
        if (!this.#checked) {
          while (i < chunk.length && this.#remaining > 0 && this.#head.length < needed(this.#type, this.#length, this.#head)) {
            this.#head.push(chunk[i++] as number)
            this.#remaining--
          }
          if (this.#head.length >= needed(this.#type, this.#length, this.#head) || this.#remaining === 0) {
            this.#checked = true
            const verdict = needed(this.#type, this.#length, this.#head) === 0 ? null : checkPacket(this.#type, this.#flags, Uint8Array.from(this.#head))
            this.#head = []
            if (verdict !== null) return verdict
          }
        }
        const skip = Math.min(this.#remaining, chunk.length - i)
        i += skip
        this.#remaining -= skip
        if (this.#remaining === 0 && this.#checked) this.#state = 'type'
      }
    }
    return null
  }
}
