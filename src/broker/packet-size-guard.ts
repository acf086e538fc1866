/**
 * Follows MQTT fixed headers across the chunks of one connection and reports a packet whose
 * declared length exceeds the limit as soon as its header is read, before its body is buffered
 * (aedes' parser would otherwise buffer any length: one CONNECT made it hold 154 MiB).
 * Pure: it sees bytes, it decides, it touches no socket.
 */
export class PacketSizeGuard {
  readonly #limit: number
  #state: 'type' | 'length' | 'body' = 'type'
  #length = 0
  #multiplier = 1
  #lengthBytes = 0
  #remaining = 0

  constructor (limit: number) {
    this.#limit = limit
  }

  /** True between packets: everything fed so far was whole packets. */
  get atBoundary (): boolean { return this.#state === 'type' }

  /** Feed the next chunk; returns an error message when a packet is too large or malformed. */
  feed (chunk: Uint8Array): string | null {
    let i = 0
    while (i < chunk.length) {
      switch (this.#state) {
        case 'type':
          this.#state = 'length'
          this.#length = 0
          this.#multiplier = 1
          this.#lengthBytes = 0
          i++
          break
        case 'length': {
          const byte = chunk[i] as number
          i++
          this.#length += (byte & 0x7f) * this.#multiplier
          this.#multiplier *= 128
          this.#lengthBytes++
          if ((byte & 0x80) !== 0) {
            if (this.#lengthBytes >= 4) return 'malformed remaining length (more than 4 bytes) [MQTT-2.2.3]'
            break
          }
          // total packet size = fixed header + remaining length
          if (1 + this.#lengthBytes + this.#length > this.#limit) {
            return `packet of ${1 + this.#lengthBytes + this.#length} bytes exceeds limits.maxPacketSize ${this.#limit}`
          }
          this.#remaining = this.#length
          this.#state = this.#remaining === 0 ? 'type' : 'body'
          break
        }
        case 'body': {
          const take = Math.min(this.#remaining, chunk.length - i)
          i += take
          this.#remaining -= take
          if (this.#remaining === 0) this.#state = 'type'
          break
        }
      }
    }
    return null
  }
}
