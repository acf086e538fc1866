import { type Duplex } from 'node:stream'

/**
 * The members of an aedes 1.2 `Client` the hub reads or replaces. aedes exports no type for
 * them; this is the one place that names them, and the versions are pinned in package.json.
 */
export interface AedesClient {
  id: string
  clean: boolean
  closed: boolean
  /** CONNACK 0 went out: aedes handles further packets as they come (before that it holds them). */
  connackSent: boolean
  connecting: boolean
  connected: boolean
  errored: boolean
  conn: Duplex & { writableLength: number, remoteAddress?: string, destroyed: boolean }
  subscriptions: Record<string, { qos: number }>
  /** The will aedes publishes when the connection ends without DISCONNECT. */
  will: object | null
  _nextId: number
  /** Milliseconds of keep-alive (-1: none) and its timer, refreshed by every packet received. */
  _keepaliveInterval: number
  _keepaliveTimer: { refresh (): unknown } | null
  req?: { socket?: { remoteAddress?: string } } | undefined
  deliver0: Deliver
  deliverQoS: Deliver
  /** mqtt-packet's parser: `_list` holds the bytes of a packet not yet complete, `_queue` packets held until CONNACK (null after). */
  _parser: { parse (buf: Buffer): unknown, _list: { length: number }, _queue: unknown[] | null }
  _onError (err: Error): void
  waitForDrain (cb: (err: Error | null) => void): void
  close (done?: () => void): void
  emit (event: string, ...args: unknown[]): boolean
}

/** An aedes delivery function, as registered with mqemitter for each subscription. */
export type Deliver = (packet: AedesPacket, cb: () => void) => void

/** An aedes-packet `Packet` as it travels through the broker. */
export interface AedesPacket {
  cmd: string
  topic: string
  payload: Buffer
  qos: 0 | 1 | 2
  retain: boolean
  dup: boolean
  brokerId: string | null
  brokerCounter: number
  messageId?: number | undefined
  clientId?: string
  nl?: boolean
}
