import mqttPacket from 'mqtt-packet'
import { topicMatches } from '../auth/topic-filter.js'
import { type SessionStore } from '../store/session-store.js'
import { type AedesClient, type AedesPacket, type Deliver } from './client-internals.js'

/** What delivery needs from the rest of the hub. */
export interface DeliveryContext {
  readonly sessions: SessionStore
  /** ACL on delivery: checked for every message, live or from the queue. */
  forward (client: AedesClient, packet: AedesPacket): boolean
  readonly maxClientBufferBytes: number
  onSent (qos: 0 | 1 | 2): void
  onSlowReader (client: AedesClient, bufferedBytes: number): void
}

/** How many recent message counters a connection remembers to drop the copy a second matching subscription produces. */
const RECENT = 1024

interface ClientState {
  readonly recent: Set<number>
  /** The same counters in the order remembered, a ring of RECENT: the one to forget next is at `next`. */
  readonly order: number[]
  next: number
  /** Payload buffers of the live messages sent since the last SUBSCRIBE began (one buffer per publish; see `createDeliver`). */
  live: WeakSet<Buffer>
  /** Deliveries waiting behind an asynchronous one, so a connection's messages leave in order. */
  readonly waiting: Array<() => Promise<void> | undefined>
  busy: boolean
}

const states = new WeakMap<AedesClient, ClientState>()

function stateOf (client: AedesClient): ClientState {
  let s = states.get(client)
  if (s === undefined) {
    s = { recent: new Set(), order: [], next: 0, live: new WeakSet(), waiting: [], busy: false }
    states.set(client, s)
  }
  return s
}

/** The highest QoS among the connection's subscriptions matching the topic [MQTT-3.3.5-1]. */
export function grantedQos (subscriptions: Readonly<Record<string, { qos: number }>>, topic: string): 0 | 1 | 2 {
  let qos = -1
  for (const filter in subscriptions) {
    const q = subscriptions[filter]?.qos ?? 0
    if (q > qos && topicMatches(filter, topic)) qos = q
    if (qos === 2) break
  }
  return qos === 2 ? 2 : qos === 1 ? 1 : 0
}

/** A queued message the drain has sent: a live copy of the same message reaching delivery later is dropped. */
export function markSent (client: AedesClient, counter: number): void {
  remember(stateOf(client), counter)
}

// Forgetting the oldest through `recent.values().next()` stepped over every deleted slot of the
// Set until it was compacted again: hundreds of steps per delivery. The ring names it directly.
function remember (state: ClientState, counter: number): boolean {
  if (state.recent.has(counter)) return false
  state.recent.add(counter)
  if (state.order.length < RECENT) {
    state.order.push(counter)
    return true
  }
  state.recent.delete(state.order[state.next] as number)
  state.order[state.next] = counter
  state.next = (state.next + 1) % RECENT
  return true
}

/** A SUBSCRIBE begins: its retained messages are compared with what goes out live from now on (a later subscription gets them again [MQTT-3.8.4-3]). */
export function subscribing (client: AedesClient): void {
  stateOf(client).live = new WeakSet()
}

/** The next packet id of a connection, as aedes numbers them (1 to 65535, then 1 again). */
export function nextMessageId (client: AedesClient): number {
  const id = client._nextId
  client._nextId = id >= 65535 ? 1 : id + 1
  return id
}

function run (state: ClientState): void {
  while (!state.busy) {
    const job = state.waiting.shift()
    if (job === undefined) return
    const pending = job()
    if (pending !== undefined) {
      state.busy = true
      pending.then(() => { state.busy = false; run(state) }, () => { state.busy = false; run(state) })
    }
  }
}

/**
 * The delivery function the hub installs in place of aedes' `deliver0`/`deliverQoS` for every
 * connection. It differs from aedes 1.2 in three ways, each a defect found here:
 * - duplicates are dropped by exact message counter, not by "counter lower than the last seen"
 *   (aedes' `dedupe` dropped messages that reached delivery out of counter order, moscajs/aedes#955);
 * - one copy goes out at the highest QoS of all matching subscriptions [MQTT-3.3.5-1], and a
 *   retained message that a new subscription already got live is not sent again as retained;
 * - a persistent session that is still draining its queue gets the message from the queue, in
 *   order, not live ahead of what waited; and it never blocks the broker on a slow reader.
 */
export function createDeliver (client: AedesClient, ctx: DeliveryContext): Deliver {
  return function deliver (packet: AedesPacket, cb: () => void): void {
    process.nextTick(cb)
    if (packet.nl === true && packet.clientId === client.id) return
    if (!ctx.forward(client, packet)) return
    const state = stateOf(client)
    if (packet.brokerId !== null && packet.brokerCounter > 0 && !remember(state, packet.brokerCounter)) return
    // aedes sends the retained messages of a new subscription as fresh packets without a broker id
    // (so no counter to compare) after SUBACK; a retained message published in between has already
    // gone out live on the new subscription, with the very payload buffer the retained copy carries
    if (packet.brokerId === null && packet.retain) {
      if (state.live.has(packet.payload)) return
    } else state.live.add(packet.payload)
    const qos = packet.qos === 0 ? 0 : Math.min(packet.qos, grantedQos(client.subscriptions, packet.topic)) as 0 | 1 | 2
    state.waiting.push(() => send(client, ctx, packet, qos))
    run(state)
  }
}

function send (client: AedesClient, ctx: DeliveryContext, packet: AedesPacket, qos: 0 | 1 | 2): Promise<void> | undefined {
  if (client.closed || !(client.connected || client.connecting)) return undefined
  if (qos === 0) {
    write(client, ctx, { cmd: 'publish', topic: packet.topic, payload: packet.payload, qos: 0, retain: packet.retain, dup: false })
    return undefined
  }
  const entry = client.clean ? undefined : ctx.sessions.queued(client.id, packet.brokerCounter)
  if (entry !== undefined && ctx.sessions.queueOf(client.id)?.draining === true) return undefined
  const messageId = nextMessageId(client)
  const out = { cmd: 'publish' as const, topic: packet.topic, payload: packet.payload, qos, retain: packet.retain, dup: false, messageId }
  if (entry === undefined) {
    write(client, ctx, out)
    return undefined
  }
  const recorded = ctx.sessions.assignMessageId(client.id, entry, messageId)
  if (qos === 1) {
    write(client, ctx, out)
    return undefined
  }
  // QoS 2: the packet id is on disk before the PUBLISH leaves, so a restart resends the same id
  return recorded.then(() => { write(client, ctx, out) }, (err: unknown) => { client._onError(err instanceof Error ? err : new Error(String(err))) })
}

function write (client: AedesClient, ctx: DeliveryContext, packet: { cmd: 'publish', topic: string, payload: Buffer, qos: 0 | 1 | 2, retain: boolean, dup: boolean, messageId?: number }): void {
  if (client.closed || client.conn.destroyed) return
  try {
    mqttPacket.writeToStream(packet as mqttPacket.IPublishPacket, client.conn)
  } catch (err) {
    client._onError(err instanceof Error ? err : new Error(String(err)))
    return
  }
  ctx.onSent(packet.qos)
  const buffered = client.conn.writableLength
  if (buffered > ctx.maxClientBufferBytes) ctx.onSlowReader(client, buffered)
}
