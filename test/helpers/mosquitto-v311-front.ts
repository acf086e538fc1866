/**
 * Mosquitto 2.0.11 (Debian 12) cannot be restricted to MQTT 3.1.1: `accept_protocol_versions`
 * arrived in Mosquitto 2.1. This front makes a real Mosquitto behave as a 3.1.1-only cloud:
 * it terminates TLS with the test certificate, reads the CONNECT's protocol level and, for level 5,
 * answers exactly what a 3.1.1 broker must (CONNACK return code 1 "unacceptable protocol version",
 * then close [MQTT-3.1.2-2]); any other CONNECT and everything after it is piped unchanged to
 * Mosquitto's plain loopback listener, so Mosquitto sees a 3.1.1 client (and echoes its own
 * publishes back to it, having no No Local in 3.1.1).
 */
import { readFile } from 'node:fs/promises'
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net'
import { createServer, type TLSSocket } from 'node:tls'
import { type TestPki } from './tls.js'

/** A running front. */
export interface V311Front {
  readonly port: number
  /** `mqtts://127.0.0.1:port` */
  readonly url: string
  /** CONNECTs refused for asking protocol level 5. */
  readonly refusedV5: () => number
  close (): Promise<void>
}

const CONNACK_UNACCEPTABLE_PROTOCOL = Buffer.from([0x20, 0x02, 0x00, 0x01])
const MAX_HEADER_BYTES = 1024

/**
 * The protocol level of a CONNECT at the start of `buf`: a number, `null` when more bytes are
 * needed, or `'bad'` when this is not a CONNECT.
 */
export function connectProtocolLevel (buf: Buffer): number | null | 'bad' {
  if (buf.length === 0) return null
  if (buf[0] !== 0x10) return 'bad'
  let i = 1
  for (let n = 0; n < 4; n++, i++) {
    const byte = buf[i]
    if (byte === undefined) return null
    if ((byte & 0x80) === 0) break
    if (n === 3) return 'bad'
  }
  i += 1 // past the last remaining-length byte
  if (buf.length < i + 2) return null
  const nameLength = buf.readUInt16BE(i)
  const levelAt = i + 2 + nameLength
  const level = buf[levelAt]
  return level === undefined ? null : level
}

/** Start a 3.1.1-only TLS front for Mosquitto's plain listener at 127.0.0.1:`plainPort`. */
export async function startV311Front (pki: TestPki, plainPort: number): Promise<V311Front> {
  const [cert, key] = await Promise.all([readFile(pki.cert), readFile(pki.key)])
  const sockets = new Set<Socket | TLSSocket>()
  let refused = 0
  const server = createServer({ cert, key }, (tls) => {
    sockets.add(tls)
    tls.once('close', () => { sockets.delete(tls) })
    tls.on('error', () => { tls.destroy() })
    let head = Buffer.alloc(0)
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk])
      const level = connectProtocolLevel(head)
      if (level === null && head.length < MAX_HEADER_BYTES) return
      tls.off('data', onData)
      if (level === null || level === 'bad') {
        tls.destroy()
        return
      }
      if (level === 5) {
        refused += 1
        tls.end(CONNACK_UNACCEPTABLE_PROTOCOL)
        return
      }
      tls.pause()
      const upstream = netConnect(plainPort, '127.0.0.1')
      sockets.add(upstream)
      upstream.once('close', () => { sockets.delete(upstream); tls.destroy() })
      tls.once('close', () => { upstream.destroy() })
      upstream.on('error', () => { upstream.destroy() })
      upstream.once('connect', () => {
        upstream.write(head)
        tls.pipe(upstream)
        upstream.pipe(tls)
        tls.resume()
      })
    }
    tls.on('data', onData)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { resolve() })
  })
  const port = (server.address() as AddressInfo).port
  return {
    port,
    url: `mqtts://127.0.0.1:${port}`,
    refusedV5: () => refused,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
    }
  }
}
