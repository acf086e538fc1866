/**
 * The fuzzer of the fault suite: a seeded PRNG (mulberry32), a corpus of valid MQTT 3.1.1
 * packets made with mqtt-packet, mutations of them (bit flips, truncation, lying lengths,
 * inserted bytes, splices) and plain random bytes, sent over raw loopback connections split at
 * random points. Same seed, same bytes: a failure is reproduced with MANGO_FUZZ_SEED.
 */
import { connect as netConnect } from 'node:net'
import mqttPacket, { type Packet } from 'mqtt-packet'

/** A deterministic PRNG: floats in [0, 1). */
export function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

export class Fuzz {
  readonly #r: () => number
  constructor (seed: number) { this.#r = mulberry32(seed) }

  int (n: number): number { return Math.floor(this.#r() * n) }
  chance (p: number): boolean { return this.#r() < p }
  pick<T> (items: readonly T[]): T { return items[this.int(items.length)] as T }
  bytes (n: number): Buffer { return Buffer.from(Array.from({ length: n }, () => this.int(256))) }

  #string (): string {
    return this.pick(['salon/s1/fuzz', 'salon/s1/+/x', '#', 'a/b/c', '', '$SYS/x', 'salon/s1/checkin/client', 'x'.repeat(this.int(300))])
  }

  /** A valid packet of a random type. */
  valid (): Packet {
    const messageId = 1 + this.int(65535)
    const qos = this.pick([0, 1, 2] as const)
    switch (this.int(8)) {
      case 0: return { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: this.chance(0.5), clientId: `fuzz-${this.int(1000)}`, keepalive: this.int(120), ...(this.chance(0.3) ? { will: { topic: 'salon/s1/fuzz/will', payload: this.bytes(this.int(40)), qos, retain: false } } : {}), ...(this.chance(0.2) ? { username: 'u', password: this.bytes(8) } : {}) }
      case 1: return { cmd: 'publish', topic: this.#string() || 'salon/s1/fuzz', payload: this.bytes(this.int(200)), qos, retain: this.chance(0.1), dup: false, ...(qos > 0 ? { messageId } : {}) } as Packet
      case 2: return { cmd: 'subscribe', messageId, subscriptions: [{ topic: this.#string() || '#', qos }] }
      case 3: return { cmd: 'unsubscribe', messageId, unsubscriptions: [this.#string() || '#'] }
      case 4: return { cmd: 'pingreq' }
      case 5: return { cmd: this.pick(['puback', 'pubrec', 'pubrel', 'pubcomp'] as const), messageId }
      case 6: return { cmd: 'disconnect' }
      default: return { cmd: 'publish', topic: 'salon/s1/fuzz/q', payload: this.bytes(20), qos: 1, retain: false, dup: false, messageId }
    }
  }

  /** One mutation of a packet's bytes. */
  mutate (bytes: Buffer): Buffer {
    const b = Buffer.from(bytes)
    switch (this.int(7)) {
      case 0: // flip 1-8 bits
        for (let i = 0, n = 1 + this.int(8); i < n && b.length > 0; i++) {
          const at = this.int(b.length)
          b[at] = (b[at] as number) ^ (1 << this.int(8))
        }
        return b
      case 1: // truncate
        return b.subarray(0, this.int(b.length + 1))
      case 2: // a remaining length that lies (shorter, longer, or a 5-byte varint)
        if (b.length < 2) return b
        return Buffer.concat([b.subarray(0, 1), this.pick([Buffer.from([this.int(128)]), Buffer.from([0xff, 0xff, 0xff, 0x7f]), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x01])]), b.subarray(2)])
      case 3: // random bytes inserted
        { const at = this.int(b.length + 1); return Buffer.concat([b.subarray(0, at), this.bytes(1 + this.int(16)), b.subarray(at)]) }
      case 4: // a byte set to 0x00 or 0xff (U+0000 in strings, invalid UTF-8, packet id 0, QoS 3, reserved flags)
        if (b.length > 0) b[this.int(b.length)] = this.pick([0x00, 0xff, 0xc3, 0x06])
        return b
      case 5: // the fixed header's type and flags replaced
        if (b.length > 0) b[0] = this.int(256)
        return b
      default: // spliced with another packet
        { const other = mqttPacket.generate(this.valid()); return Buffer.concat([b.subarray(0, this.int(b.length + 1)), other.subarray(this.int(other.length + 1))]) }
    }
  }

  /** What one fuzz connection sends: mostly a valid CONNECT then mutated packets; sometimes garbage from the first byte. */
  session (): Buffer[] {
    const out: Buffer[] = []
    const connect = mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: this.chance(0.7), clientId: `fuzz-${this.int(100)}`, keepalive: 30 })
    const start = this.int(10)
    if (start < 6) out.push(connect)
    else if (start < 8) out.push(this.mutate(connect))
    else out.push(this.bytes(1 + this.int(64)))
    for (let i = 0, n = this.int(8); i < n; i++) {
      const p = mqttPacket.generate(this.valid())
      out.push(this.chance(0.7) ? this.mutate(p) : p)
    }
    return out
  }

  /** Split the bytes into 1-4 chunks at random points. */
  split (bytes: Buffer): Buffer[] {
    const chunks: Buffer[] = []
    let rest = bytes
    for (let i = 0, n = this.int(4); i < n && rest.length > 1; i++) {
      const at = 1 + this.int(rest.length - 1)
      chunks.push(rest.subarray(0, at))
      rest = rest.subarray(at)
    }
    chunks.push(rest)
    return chunks
  }
}

/** How a fuzz connection ended. */
export type Outcome = 'closed by hub' | 'left open' | 'refused'

/** Open a raw connection, send the chunks, then wait for the hub to close it or `ms` (then close it ourselves). */
export function fuzzConnection (port: number, chunks: readonly Buffer[], ms: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port })
    let connected = false
    const timer = setTimeout(() => { socket.destroy(); resolve(connected ? 'left open' : 'refused') }, ms)
    socket.on('error', () => {
      // a reset by the hub is one way of closing
    })
    socket.on('data', () => {
      // answers are read and dropped, so the hub is never blocked on this socket
    })
    socket.once('close', () => { clearTimeout(timer); resolve(connected ? 'closed by hub' : 'refused') })
    socket.once('connect', () => {
      connected = true
      for (const c of chunks) socket.write(c)
    })
  })
}
