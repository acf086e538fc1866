/**
 * Raw TCP sockets speaking MQTT bytes by hand, for what mqtt.js will not send: a silent
 * connection, a fixed header that lies about its length, a client that stops sending.
 */
import { once } from 'node:events'
import { connect as netConnect, createServer, type Socket } from 'node:net'
import mqttPacket, { type Packet } from 'mqtt-packet'
import { type Test } from 'tap'

/** A raw loopback socket with the MQTT packets it has received and the moment it closed. */
export interface RawClient {
  readonly socket: Socket
  readonly packets: Packet[]
  /** Resolves the next packet (or one already received and not yet taken), bounded. */
  nextPacket (ms?: number): Promise<Packet>
  /** Resolves once the hub closed the connection, with the milliseconds since `connected`; bounded. */
  closed (ms?: number): Promise<number>
  readonly connectedAt: number
}

/** Open a TCP connection to 127.0.0.1:port; destroyed at teardown. */
export async function rawConnect (t: Test, port: number): Promise<RawClient> {
  const socket = netConnect({ host: '127.0.0.1', port })
  t.teardown(() => { socket.destroy() })
  socket.on('error', () => {
    // a reset from the hub closing us is an expected outcome; `closed()` observes it
  })
  await Promise.race([
    once(socket, 'connect'),
    new Promise((_resolve, reject) => setTimeout(() => reject(new Error('TCP connect timed out')), 5000).unref())
  ])
  const connectedAt = Date.now()
  const packets: Packet[] = []
  let taken = 0
  const waiters: Array<() => void> = []
  const parser = mqttPacket.parser({ protocolVersion: 4 })
  parser.on('packet', (p: Packet) => {
    packets.push(p)
    for (const w of waiters.splice(0)) w()
  })
  socket.on('data', (chunk: Buffer) => { parser.parse(chunk) })
  let closedAt: number | null = null
  socket.once('close', () => {
    closedAt = Date.now()
    for (const w of waiters.splice(0)) w()
  })
  return {
    socket,
    packets,
    connectedAt,
    nextPacket: async (ms = 5000) => {
      const deadline = Date.now() + ms
      while (packets.length <= taken) {
        if (closedAt !== null) throw new Error('connection closed before the next packet')
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`no packet within ${ms} ms`)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left)
          waiters.push(() => { clearTimeout(timer); resolve() })
        })
      }
      return packets[taken++] as Packet
    },
    closed: async (ms = 5000) => {
      if (closedAt === null) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`the hub did not close the connection within ${ms} ms`)), ms)
          socket.once('close', () => { clearTimeout(timer); resolve() })
        })
      }
      return (closedAt ?? Date.now()) - connectedAt
    }
  }
}

/** The bytes of one MQTT 3.1.1 packet. */
export function packet (p: Packet): Buffer {
  return mqttPacket.generate(p)
}

/** MQTT's variable-length "remaining length" encoding [MQTT-2.2.3]. */
export function remainingLength (n: number): Buffer {
  const out: number[] = []
  let x = n
  do {
    let byte = x % 128
    x = Math.floor(x / 128)
    if (x > 0) byte |= 0x80
    out.push(byte)
  } while (x > 0)
  return Buffer.from(out)
}

/** A port on 127.0.0.1 that was free a moment ago (bind port 0, read it, close). */
export async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
