/**
 * After LevelDB failed, memory is the truth: what was acknowledged is there, and what a failed
 * or refused write would have changed has been rolled back (publish plans) or was kept in memory
 * only (deletes after PUBACK). Once LevelDB is reopened, the keys those writes touched are
 * rewritten from memory, so disk and memory agree again. Keys of other parts' sublevels (bridge
 * outbox, devices) are not the session store's to judge and are left as LevelDB has them.
 */
import { decodePacket, encodePacket, type StoredPacket } from './codec.js'
import { type DirtyKeys } from './group-commit.js'
import { type QueueEntry } from './queue-index.js'
import { type SubscriptionRecord } from './subscription-index.js'
import { type StoreOperation, type Sublevel } from './types.js'

/** The session store's memory, read-only, as {@link repairOps} needs it. */
export interface MemoryTruth {
  readonly sublevels: Readonly<Record<'meta' | 'retained' | 'subs' | 'queue' | 'incoming' | 'wills', Sublevel>>
  readonly brokerId: string
  /** The packet counter's high-water mark. */
  readonly counter: number
  queueEntry (clientId: string, counter: number): QueueEntry | undefined
  subscription (clientId: string, topic: string): SubscriptionRecord | undefined
  retained (topic: string): StoredPacket | undefined
  incoming (clientId: string, messageId: number): StoredPacket | undefined
  will (clientId: string): StoredPacket | undefined
}

const dec = decodeURIComponent

/** Split `enc(clientId):rest` at the first (subs: the filter may hold ':') or last colon. */
function split (key: string, at: 'first' | 'last'): [string, string] {
  const cut = at === 'first' ? key.indexOf(':') : key.lastIndexOf(':')
  return [dec(key.slice(0, cut)), key.slice(cut + 1)]
}

function put (sublevel: Sublevel, key: string, value: Buffer): StoreOperation { return { type: 'put', sublevel, key, value } }
function del (sublevel: Sublevel, key: string): StoreOperation { return { type: 'del', sublevel, key } }

async function queueOp (truth: MemoryTruth, key: string): Promise<StoreOperation | null> {
  const sub = truth.sublevels.queue
  const [clientId, counterText] = split(key, 'last')
  const counter = Number(counterText)
  const entry = truth.queueEntry(clientId, counter)
  if (entry === undefined) return del(sub, key)
  if (entry.pubrel) {
    return put(sub, key, encodePacket({ cmd: 'pubrel', topic: entry.topic, payload: Buffer.alloc(0), qos: 2, retain: false, dup: false, brokerId: truth.brokerId, brokerCounter: counter, messageId: entry.messageId, clientId: undefined }))
  }
  // a QoS 2 message's packet id must survive a restart; its payload is only on disk
  if (entry.qos === 2 && entry.messageId !== undefined) {
    const value = await sub.get(key)
    if (value === undefined) return null
    const stored = decodePacket(value)
    return stored.messageId === entry.messageId ? null : put(sub, key, encodePacket({ ...stored, messageId: entry.messageId }))
  }
  // in memory but not necessarily on disk (a drop rolled back after its delete reached LevelDB):
  // the payload cannot be rebuilt, and a reconnect's drain skips an entry without a value
  return null
}

/** Operations that make LevelDB agree with memory for every dirty key of the session store. */
export async function repairOps (truth: MemoryTruth, dirty: DirtyKeys): Promise<StoreOperation[]> {
  const s = truth.sublevels
  const ops: StoreOperation[] = []
  for (const [sublevel, keys] of dirty) {
    for (const key of keys) {
      let op: StoreOperation | null = null
      if (sublevel === s.queue) op = await queueOp(truth, key)
      else if (sublevel === s.subs) {
        const [clientId, topic] = split(key, 'first')
        const record = truth.subscription(clientId, topic)
        op = record === undefined ? del(sublevel, key) : put(sublevel, key, Buffer.from(JSON.stringify(record)))
      } else if (sublevel === s.retained) {
        const packet = truth.retained(key)
        op = packet === undefined ? del(sublevel, key) : put(sublevel, key, encodePacket({ ...packet, retain: true, messageId: undefined }))
      } else if (sublevel === s.incoming) {
        const [clientId, id] = split(key, 'last')
        const packet = truth.incoming(clientId, Number(id))
        op = packet === undefined ? del(sublevel, key) : put(sublevel, key, encodePacket(packet))
      } else if (sublevel === s.wills) {
        const will = truth.will(dec(key))
        op = will === undefined ? del(sublevel, key) : put(sublevel, key, encodePacket(will))
      } else if (sublevel === s.meta && key === 'counter') {
        const buf = Buffer.allocUnsafe(8)
        buf.writeDoubleBE(truth.counter)
        op = put(sublevel, key, buf)
      } else if (sublevel === s.meta && key === 'brokerId') {
        op = put(sublevel, key, Buffer.from(truth.brokerId))
      }
      if (op !== null) ops.push(op)
    }
  }
  return ops
}
