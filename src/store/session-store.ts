import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { decodePacket, encodePacket, padCounter, type StoredPacket } from './codec.js'
import { type DeferredRange, type GroupCommit } from './group-commit.js'
import { ClientQueue, PayloadBudget, entriesToDrop, type QueueEntry } from './queue-index.js'
import { QueueReader } from './queue-reader.js'
import { RetainedIndex } from './retained-index.js'
import { SubscriptionIndex, type SubscriptionRecord } from './subscription-index.js'
import { type MemoryTruth } from './repair.js'
import { type Db, type StoreOperation, type Sublevel } from './types.js'

/** The packet fields aedes hands its persistence. */
export interface AedesPacketLike {
  cmd?: string
  topic: string
  payload?: Buffer | string
  qos?: number
  retain?: boolean
  dup?: boolean
  brokerId?: string | null
  brokerCounter?: number | undefined
  messageId?: number | undefined
  clientId?: string | undefined
}

/** Writes a reconnecting session's queue; resolves when it is drained, or the connection or session is gone. */
export type Drainer = (client: { id: string }, reader: QueueReader) => Promise<void>

/** Bounds of one session's queue. */
export interface QueueLimits { maxMessages: number, maxBytes: number, policy: 'drop-oldest' | 'drop-new' }

/** Told when a full queue gives something up (the hub logs and counts it). */
export type DropListener = (clientId: string, dropped: number, reason: 'drop-oldest' | 'drop-new') => void

/** A durable plan for one message: the writes, and how to undo the memory side if they fail. */
export interface PublishPlan {
  readonly ops: StoreOperation[]
  /** The counter of the queued copies this plan writes; 0 when it queues none. */
  readonly queued: number
  /** The retained value this plan sets (an empty payload clears the topic); it becomes visible once written. */
  readonly retained: StoredPacket | null
  rollback (): void
}

/**
 * Payload bytes of queued messages kept in memory for the drain (`QueueEntry.packet`), over all
 * sessions. A message queued for ten sessions counts ten times although its payload is held once,
 * so the real memory is at most this. Past it, queued messages are read back from LevelDB.
 */
export const PAYLOAD_CACHE_BYTES = 8 * 1024 * 1024

const enc = encodeURIComponent
const dec = decodeURIComponent

function toStored (p: AedesPacketLike, qos: 0 | 1 | 2, brokerId: string): StoredPacket {
  return {
    cmd: p.cmd === 'pubrel' ? 'pubrel' : 'publish',
    topic: p.topic,
    payload: typeof p.payload === 'string' ? Buffer.from(p.payload) : (p.payload ?? Buffer.alloc(0)),
    qos,
    retain: p.retain === true,
    dup: p.dup === true,
    brokerId: p.brokerId ?? brokerId,
    brokerCounter: p.brokerCounter ?? 0,
    messageId: p.messageId,
    clientId: p.clientId
  }
}

function clampQos (n: number | undefined): 0 | 1 | 2 {
  return n === 1 || n === 2 ? n : 0
}

/** Stream an async iterable as aedes expects (a Readable in object mode). */
function stream<T> (it: AsyncIterable<T> | Iterable<T>): Readable {
  return Readable.from(it, { objectMode: true })
}

/**
 * The hub's Aedes persistence: sessions, subscriptions, retained messages, queues, inbound
 * QoS 2 state and wills, held in memory for reads and written ahead to LevelDB through group
 * commit. It replaces aedes-persistence-level, whose queue keys reuse an in-memory counter
 * (queued messages overwritten or reordered after a restart), which never syncs, and which
 * writes once per subscriber; the README's "Durability" section says what each write promises.
 */
export class SessionStore {
  readonly brokerId: string
  /** Changes every start, so wills left by a previous run are told apart. */
  readonly runId = randomUUID()
  readonly retained = new RetainedIndex()
  readonly subscriptions = new SubscriptionIndex()
  readonly queues = new Map<string, ClientQueue>()
  readonly #incoming = new Map<string, Map<number, StoredPacket>>()
  readonly #wills = new Map<string, StoredPacket & { runId: string }>()
  readonly #willsDeleting = new Map<string, StoredPacket & { runId: string }>()
  /** The broker's drain of a reconnecting session's queue (aedes' `emptyQueue` step then waits for it). */
  #drainer: Drainer | null = null
  /** Counters of queued copies whose write is still in the group commit: a drain must flush before reading them. */
  readonly #unwritten = new Set<number>()
  /** Per session, the range clear its in-order acknowledgements are gathering in. */
  readonly #acked = new Map<string, DeferredRange>()
  readonly #writer: GroupCommit
  readonly #db: Record<'meta' | 'retained' | 'subs' | 'queue' | 'incoming' | 'wills', Sublevel>
  readonly #limits: QueueLimits
  readonly #budget: PayloadBudget
  #onDrop: DropListener = () => {}
  #counter: number
  #persistedCounter: number

  private constructor (db: Record<'meta' | 'retained' | 'subs' | 'queue' | 'incoming' | 'wills', Sublevel>, writer: GroupCommit, limits: QueueLimits, budget: PayloadBudget, brokerId: string, counter: number) {
    this.#db = db
    this.#budget = budget
    this.#writer = writer
    this.#limits = limits
    this.brokerId = brokerId
    this.#counter = counter
    this.#persistedCounter = counter
  }

  /** Load everything from LevelDB into memory. */
  static async open (root: Db, writer: GroupCommit, limits: QueueLimits, payloadCacheBytes = PAYLOAD_CACHE_BYTES): Promise<SessionStore> {
    const opts = { valueEncoding: 'buffer' } as const
    const db = {
      meta: root.sublevel<string, Buffer>('meta', opts),
      retained: root.sublevel<string, Buffer>('retained', opts),
      subs: root.sublevel<string, Buffer>('subs', opts),
      queue: root.sublevel<string, Buffer>('queue', opts),
      incoming: root.sublevel<string, Buffer>('incoming', opts),
      wills: root.sublevel<string, Buffer>('wills', opts)
    } as unknown as Record<'meta' | 'retained' | 'subs' | 'queue' | 'incoming' | 'wills', Sublevel>
    let brokerId = (await db.meta.get('brokerId'))?.toString('utf8')
    if (brokerId === undefined) {
      brokerId = randomUUID()
      await writer.write([{ type: 'put', sublevel: db.meta, key: 'brokerId', value: Buffer.from(brokerId) }], true)
    }
    const counterBuf = await db.meta.get('counter')
    let counter = counterBuf === undefined ? 0 : counterBuf.readDoubleBE(0)
    const store = new SessionStore(db, writer, limits, new PayloadBudget(payloadCacheBytes), brokerId, counter)
    for await (const [key, value] of db.retained.iterator()) {
      const p = decodePacket(value)
      // a retained message keeps its counter: a new message must never reuse it (delivery drops repeats by counter)
      counter = Math.max(counter, p.brokerCounter)
      store.retained.set({ ...p, topic: key })
    }
    for await (const [key, value] of db.subs.iterator()) {
      const cut = key.indexOf(':')
      store.subscriptions.add(dec(key.slice(0, cut)), JSON.parse(value.toString('utf8')) as SubscriptionRecord)
    }
    for await (const [key, value] of db.queue.iterator()) {
      const cut = key.indexOf(':')
      const clientId = dec(key.slice(0, cut))
      const p = decodePacket(value)
      counter = Math.max(counter, p.brokerCounter)
      const pubrel = p.cmd === 'pubrel'
      store.#queue(clientId).add({ counter: p.brokerCounter, topic: p.topic, qos: p.qos === 2 ? 2 : 1, bytes: p.payload.length, messageId: p.messageId, pubrel, packet: pubrel ? undefined : p })
    }
    for await (const [key, value] of db.incoming.iterator()) {
      const cut = key.indexOf(':')
      const p = decodePacket(value)
      store.#incomingOf(dec(key.slice(0, cut))).set(p.messageId ?? 0, p)
    }
    for await (const [key, value] of db.wills.iterator()) {
      const p = decodePacket(value)
      store.#wills.set(dec(key), { ...p, runId: p.brokerId })
    }
    store.#counter = counter
    store.#persistedCounter = counter
    return store
  }

  /** Called for every message a full queue gives up. */
  onDrop (listener: DropListener): void { this.#onDrop = listener }

  get counter (): number { return this.#counter }

  /** Payload bytes of queued messages held in memory now, and the bound. */
  get payloadCache (): { readonly used: number, readonly max: number } { return this.#budget }

  /** True while LevelDB writes fail (until recovery has reopened it): nothing new can be stored. */
  get failing (): boolean { return this.#writer.failing }

  #queue (clientId: string): ClientQueue {
    let q = this.queues.get(clientId)
    if (q === undefined) {
      q = new ClientQueue(this.#budget)
      this.queues.set(clientId, q)
    }
    return q
  }

  #incomingOf (clientId: string): Map<number, StoredPacket> {
    let m = this.#incoming.get(clientId)
    if (m === undefined) {
      m = new Map()
      this.#incoming.set(clientId, m)
    }
    return m
  }

  #queueKey (clientId: string, counter: number): string { return `${enc(clientId)}:${padCounter(counter)}` }

  /** Depth of every non-empty queue, for /status and /metrics. */
  queueDepths (): Array<{ clientId: string, messages: number, bytes: number }> {
    const out = []
    for (const [clientId, q] of this.queues) if (q.entries.size > 0) out.push({ clientId, messages: q.entries.size, bytes: q.bytes })
    return out
  }

  /**
   * Plan the durable writes of one published message: retained set/clear, a queued copy for
   * every persistent session with a matching QoS > 0 subscription (queue bounds applied), and
   * the high-water mark of the packet counter so ids never repeat after a restart. The queues in
   * memory are updated now, so the next plan sees them; `rollback` undoes that if the write fails.
   * The retained value changes in memory only once it is written (`commit`): a device that
   * subscribes while it is being stored must not get it as retained and then again live.
   */
  planPublish (packet: AedesPacketLike, options: { skipQueueFor?: string } = {}): PublishPlan {
    const ops: StoreOperation[] = []
    const added: Array<{ clientId: string, counter: number }> = []
    const dropped: Array<{ clientId: string, entries: QueueEntry[] }> = []
    const qos = clampQos(packet.qos)
    // the queued copy is the same for every session at one QoS: encoded once, held once
    const copies: Array<{ stored: StoredPacket, value: Buffer } | undefined> = []
    let retained: StoredPacket | null = null
    if (packet.retain === true) {
      retained = toStored(packet, qos, this.brokerId)
      if (retained.payload.length === 0) ops.push({ type: 'del', sublevel: this.#db.retained, key: packet.topic })
      else ops.push({ type: 'put', sublevel: this.#db.retained, key: packet.topic, value: encodePacket({ ...retained, retain: true, messageId: undefined }) })
    }
    if (qos > 0) {
      const counter = packet.brokerCounter ?? 0
      for (const [clientId, sub] of this.subscriptions.matchByClient(packet.topic)) {
        if (sub.qos === 0 || (sub.nl && packet.clientId === clientId) || options.skipQueueFor === clientId) continue
        const q = this.#queue(clientId)
        if (q.entries.has(counter)) continue
        const effective = Math.min(qos, sub.qos) as 1 | 2
        const bytes = typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : (packet.payload?.length ?? 0)
        const verdict = entriesToDrop(q, bytes, this.#limits)
        if (verdict.dropNew) {
          this.#onDrop(clientId, 1, 'drop-new')
          continue
        }
        for (const old of verdict.dropOld) {
          q.delete(old.counter)
          ops.push({ type: 'del', sublevel: this.#db.queue, key: this.#queueKey(clientId, old.counter) })
        }
        if (verdict.dropOld.length > 0) {
          dropped.push({ clientId, entries: verdict.dropOld })
          this.#onDrop(clientId, verdict.dropOld.length, 'drop-oldest')
        }
        let copy = copies[effective]
        if (copy === undefined) {
          const stored = { ...toStored(packet, effective, this.brokerId), messageId: undefined, retain: false }
          copy = { stored, value: encodePacket(stored) }
          copies[effective] = copy
        }
        ops.push({ type: 'put', sublevel: this.#db.queue, key: this.#queueKey(clientId, counter), value: copy.value })
        q.add({ counter, topic: packet.topic, qos: effective, bytes, messageId: undefined, pubrel: false, packet: copy.stored })
        added.push({ clientId, counter })
      }
      // Only queue entries and retained messages carry the counter across a restart (open() takes
      // the highest of them): a message queued for nobody needs no write, and no fsync.
      if (counter > this.#persistedCounter && (added.length > 0 || packet.retain === true)) {
        this.#persistedCounter = counter
        const buf = Buffer.allocUnsafe(8)
        buf.writeDoubleBE(counter)
        ops.push({ type: 'put', sublevel: this.#db.meta, key: 'counter', value: buf })
      }
    }
    return {
      ops,
      queued: added.length > 0 ? (packet.brokerCounter ?? 0) : 0,
      retained,
      // memory back to what it was before this plan (the store's truth while LevelDB recovers)
      rollback: () => {
        for (const { clientId, counter } of added) this.queues.get(clientId)?.delete(counter)
        for (const { clientId, entries } of dropped) this.#queue(clientId).restore(entries)
      }
    }
  }

  /**
   * Commit a plan (and extra operations) in one batch. If it is refused or fails, the memory
   * side is rolled back (the plan, an inbound QoS 2 record, a will being deleted) before the
   * promise rejects, so memory still says what was acknowledged.
   */
  async commit (plan: PublishPlan, durable: boolean, extra: readonly StoreOperation[] = []): Promise<void> {
    const ops = extra.length === 0 ? plan.ops : [...plan.ops, ...extra]
    if (ops.length === 0) return
    if (plan.queued > 0) this.#unwritten.add(plan.queued)
    try {
      await this.#writer.write(ops, durable, () => {
        plan.rollback()
        this.#undoExtra(extra)
      })
    } finally {
      if (plan.queued > 0) this.#unwritten.delete(plan.queued)
    }
    // batches are written in issue order, so the last retained value written is the one kept
    if (plan.retained !== null) this.retained.set(plan.retained)
    for (const op of extra) if (op.sublevel === this.#db.wills) this.#willsDeleting.delete(dec(op.key))
  }

  #undoExtra (extra: readonly StoreOperation[]): void {
    for (const op of extra) {
      if (op.sublevel === this.#db.incoming && op.type === 'put') {
        const cut = op.key.lastIndexOf(':')
        this.#incoming.get(dec(op.key.slice(0, cut)))?.delete(Number(op.key.slice(cut + 1)))
      } else if (op.sublevel === this.#db.wills && op.type === 'del') {
        const clientId = dec(op.key)
        const will = this.#willsDeleting.get(clientId)
        this.#willsDeleting.delete(clientId)
        if (will !== undefined && !this.#wills.has(clientId)) this.#wills.set(clientId, will)
      }
    }
  }

  /** The operation that records an inbound QoS 2 packet, committed with the message itself. */
  incomingOp (clientId: string, packet: AedesPacketLike): StoreOperation {
    const stored = toStored(packet, 2, this.brokerId)
    this.#incomingOf(clientId).set(packet.messageId ?? 0, stored)
    return { type: 'put', sublevel: this.#db.incoming, key: `${enc(clientId)}:${String(packet.messageId ?? 0).padStart(5, '0')}`, value: encodePacket(stored) }
  }

  hasIncoming (clientId: string, messageId: number): boolean {
    return this.#incoming.get(clientId)?.has(messageId) === true
  }

  /** The queue entry of a packet for this session, if it was queued. */
  queued (clientId: string, counter: number): QueueEntry | undefined {
    return this.queues.get(clientId)?.entries.get(counter)
  }

  queueOf (clientId: string): ClientQueue | undefined { return this.queues.get(clientId) }

  /** Record the packet id a queued message was sent with; durable for QoS 2 so a restart resends the same id. */
  async assignMessageId (clientId: string, entry: QueueEntry, messageId: number): Promise<void> {
    const q = this.queues.get(clientId)
    if (q === undefined || q.entries.get(entry.counter) !== entry) return
    q.setMessageId(entry, messageId)
    if (entry.qos !== 2) return
    const packet = entry.packet ?? (await this.#read(clientId, [entry]))[0]
    if (packet !== undefined) await this.assignMessageIds(clientId, [{ entry, packet, messageId }])
  }

  /** Read access to what memory holds, for rewriting keys LevelDB may have wrong after a failure (repair.ts). */
  memoryTruth (): MemoryTruth {
    return {
      sublevels: this.#db,
      brokerId: this.brokerId,
      counter: this.#persistedCounter,
      queueEntry: (clientId, counter) => this.queues.get(clientId)?.entries.get(counter),
      subscription: (clientId, topic) => this.subscriptions.of(clientId).find((s) => s.topic === topic),
      retained: (topic) => this.retained.get(topic),
      incoming: (clientId, messageId) => this.#incoming.get(clientId)?.get(messageId),
      will: (clientId) => this.#wills.get(clientId)
    }
  }

  /** Resolves once every write issued so far is in LevelDB. */
  flush (): Promise<void> { return this.#writer.flush() }

  /** Wills stored by an earlier run of the hub: their connections ended when it stopped. */
  orphanWills (): Array<StoredPacket & { clientId: string }> {
    const out = []
    for (const [clientId, will] of this.#wills) if (will.runId !== this.runId) out.push({ ...will, clientId })
    return out
  }

  // ---- the Aedes persistence interface (aedes-persistence 11, async) ----

  async setup (broker: { counter: number, id: string }): Promise<void> {
    broker.counter = Math.max(broker.counter, this.#counter)
  }

  async storeRetained (packet: AedesPacketLike): Promise<void> {
    await this.commit(this.planPublish({ ...packet, qos: 0 }), true)
  }

  createRetainedStreamCombi (patterns: string[]): Readable {
    return stream([...this.retained.match(patterns)])
  }

  createRetainedStream (pattern: string): Readable {
    return this.createRetainedStreamCombi([pattern])
  }

  async addSubscriptions (client: { id: string }, subs: Array<SubscriptionRecord & { [k: symbol]: unknown }>): Promise<void> {
    const ops: StoreOperation[] = []
    for (const s of subs) {
      if (s[REFUSED] === true) continue
      const record: SubscriptionRecord = { topic: s.topic, qos: clampQos(s.qos), ...(s.rh !== undefined ? { rh: s.rh } : {}), ...(s.rap !== undefined ? { rap: s.rap } : {}), ...(s.nl !== undefined ? { nl: s.nl } : {}) }
      this.subscriptions.add(client.id, record)
      ops.push({ type: 'put', sublevel: this.#db.subs, key: `${enc(client.id)}:${s.topic}`, value: Buffer.from(JSON.stringify(record)) })
    }
    if (ops.length > 0) await this.#writer.write(ops, true)
  }

  async removeSubscriptions (client: { id: string }, topics: string[]): Promise<void> {
    const ops: StoreOperation[] = []
    for (const topic of topics) {
      this.subscriptions.remove(client.id, topic)
      ops.push({ type: 'del', sublevel: this.#db.subs, key: `${enc(client.id)}:${topic}` })
    }
    if (ops.length > 0) await this.#writer.write(ops, true)
  }

  async subscriptionsByClient (client: { id: string }): Promise<SubscriptionRecord[]> {
    // A persistent session is reconnecting: hold live delivery of queued messages until the
    // queue has been drained, so nothing overtakes what waited [MQTT-4.6.0-2 ordering].
    const q = this.queues.get(client.id)
    if (q !== undefined) q.drainOwner = Symbol('drain')
    return this.subscriptions.of(client.id)
  }

  async countOffline (): Promise<{ subsCount: number, clientsCount: number }> {
    return { subsCount: this.subscriptions.subscriptionCount, clientsCount: this.subscriptions.clientCount }
  }

  async subscriptionsByTopic (topic: string): Promise<Array<{ clientId: string, topic: string, qos: number }>> {
    return [...this.subscriptions.matchByClient(topic)].map(([clientId, s]) => ({ clientId, topic, qos: s.qos }))
  }

  /** A clean session discards the previous session: subscriptions and queued messages [MQTT-3.1.2-6]. */
  async cleanSubscriptions (client: { id: string }): Promise<void> {
    const ops: StoreOperation[] = []
    for (const sub of this.subscriptions.of(client.id)) {
      this.subscriptions.remove(client.id, sub.topic)
      ops.push({ type: 'del', sublevel: this.#db.subs, key: `${enc(client.id)}:${sub.topic}` })
    }
    const q = this.queues.get(client.id)
    if (q !== undefined) {
      for (const counter of q.entries.keys()) ops.push({ type: 'del', sublevel: this.#db.queue, key: this.#queueKey(client.id, counter) })
      q.release()
      this.queues.delete(client.id)
      this.#acked.delete(client.id)
    }
    if (ops.length > 0) await this.#writer.write(ops, true)
  }

  async outgoingEnqueue (sub: { clientId: string }, packet: AedesPacketLike): Promise<void> {
    await this.outgoingEnqueueCombi([sub], packet)
  }

  async outgoingEnqueueCombi (subs: Array<{ clientId: string }>, packet: AedesPacketLike): Promise<void> {
    if (subs.length === 0) return
    // The hub's publish pipeline has already queued hub and device messages; this path serves
    // aedes' own publishes, planned the same way (retained handled by storeRetained).
    await this.commit(this.planPublish({ ...packet, retain: false }), true)
  }

  async outgoingUpdate (client: { id: string }, packet: AedesPacketLike): Promise<void> {
    const q = this.queues.get(client.id)
    if (q === undefined) return
    if (packet.cmd === 'pubrel') {
      const counter = q.byMessageId.get(packet.messageId ?? -1)
      const entry = counter === undefined ? undefined : q.entries.get(counter)
      if (entry === undefined || counter === undefined) return
      entry.pubrel = true
      q.uncache(entry)
      const stored: StoredPacket = { cmd: 'pubrel', topic: entry.topic, payload: Buffer.alloc(0), qos: 2, retain: false, dup: false, brokerId: this.brokerId, brokerCounter: counter, messageId: packet.messageId, clientId: undefined }
      await this.#writer.write([{ type: 'put', sublevel: this.#db.queue, key: this.#queueKey(client.id, counter), value: encodePacket(stored) }], true)
      return
    }
    const entry = q.entries.get(packet.brokerCounter ?? -1)
    if (entry !== undefined && packet.messageId !== undefined) await this.assignMessageId(client.id, entry, packet.messageId)
  }

  /** A PUBACK or PUBCOMP: the queued message sent with this packet id is done; returns it (undefined if none). */
  acknowledge (clientId: string, messageId: number): QueueEntry | undefined {
    const q = this.queues.get(clientId)
    const counter = q?.byMessageId.get(messageId)
    const entry = counter === undefined ? undefined : q?.entries.get(counter)
    if (entry !== undefined) this.discardQueued(clientId, entry)
    return entry
  }

  async outgoingClearMessageId (client: { id: string }, packet: AedesPacketLike): Promise<AedesPacketLike | undefined> {
    const entry = this.acknowledge(client.id, packet.messageId ?? -1)
    if (entry === undefined) return undefined
    return { cmd: 'publish', topic: entry.topic, qos: entry.qos, messageId: packet.messageId ?? 0, brokerId: this.brokerId, brokerCounter: entry.counter }
  }

  /** Set by the broker: it writes a reconnecting session's queue itself (see `src/broker/drain-queue.ts`). */
  setDrainer (drainer: Drainer): void { this.#drainer = drainer }

  /**
   * aedes' `emptyQueue` step asks for the queue as a stream and writes it one message per
   * event-loop turn, through a promise per message (about 100 µs each). The hub's drainer writes
   * it in batches instead; the stream aedes gets stays empty and ends when the drain has, so the
   * connection counts as connected only then, as before.
   */
  outgoingStream (client: { id: string }): Readable {
    const q = this.queues.get(client.id)
    const drainer = this.#drainer
    if (q === undefined || drainer === null) return stream([])
    const owner = q.drainOwner ?? Symbol('drain')
    q.drainOwner = owner
    const readable = new Readable({ objectMode: true, read () {} })
    drainer(client, new QueueReader(q, owner, {
      current: () => this.queues.get(client.id) === q,
      read: async (entries) => {
        // a queued copy goes out once it is written, as before it was kept in memory; most were written long ago
        if (entries.some((e) => this.#unwritten.has(e.counter))) await this.#writer.flush()
        return await this.#read(client.id, entries)
      }
    })).then(() => { readable.push(null) }, (err: unknown) => { readable.destroy(err instanceof Error ? err : new Error(String(err))) })
      .finally(() => { if (q.drainOwner === owner) q.drainOwner = null })
    return readable
  }

  /** The queued messages of these entries: from memory where kept, else in one LevelDB read (undefined where a key is gone). */
  async #read (clientId: string, entries: readonly QueueEntry[]): Promise<Array<StoredPacket | undefined>> {
    const missing = entries.filter((e) => e.packet === undefined)
    const values = missing.length === 0 ? [] : await this.#db.queue.getMany(missing.map((e) => this.#queueKey(clientId, e.counter)))
    let next = 0
    return entries.map((e) => {
      if (e.packet !== undefined) return e.packet
      const value = values[next++]
      return value === undefined ? undefined : decodePacket(value)
    })
  }

  /**
   * Give queued messages the packet ids they are sent with. QoS 2 ids are written (one durable
   * batch) before the caller sends: a restart resends the same id [MQTT-4.3.3].
   */
  async assignMessageIds (clientId: string, items: ReadonlyArray<{ entry: QueueEntry, packet: StoredPacket, messageId: number }>): Promise<void> {
    const q = this.queues.get(clientId)
    if (q === undefined) return
    const ops: StoreOperation[] = []
    for (const { entry, packet, messageId } of items) {
      if (q.entries.get(entry.counter) !== entry) continue
      q.setMessageId(entry, messageId)
      if (entry.qos === 2) ops.push({ type: 'put', sublevel: this.#db.queue, key: this.#queueKey(clientId, entry.counter), value: encodePacket({ ...packet, messageId }) })
    }
    if (ops.length > 0) await this.#writer.write(ops, true)
  }

  /**
   * Remove a message from a session's queue: acknowledged (PUBACK), or refused by the ACL on
   * delivery. Memory, the store's truth, changes now; the delete goes to LevelDB deferred, with
   * a later batch. It is not awaited: aedes reads a connection's next packets only once this one
   * is handled. Not durable: a crash within a few milliseconds, or a power cut, can bring the
   * message back, to be delivered once more (QoS 1 allows it), or a PUBREL resent (QoS 2), or
   * refused again. A session acknowledging in order (the oldest message each time) gets its
   * deletes as one range clear per batch: nothing of it below that message is live any more,
   * and a queue key is never written again once its message is gone (counters never repeat).
   */
  discardQueued (clientId: string, entry: QueueEntry): void {
    const q = this.queues.get(clientId)
    if (q === undefined || q.entries.get(entry.counter) !== entry) return
    const oldest = q.oldest() === entry
    q.delete(entry.counter)
    const key = this.#queueKey(clientId, entry.counter)
    const op: StoreOperation = { type: 'del', sublevel: this.#db.queue, key }
    if (!oldest) {
      this.#writer.defer([op])
      return
    }
    if (this.#acked.get(clientId)?.extend(key, op) === true) return
    this.#acked.set(clientId, this.#writer.deferRange(this.#db.queue, key, op))
  }

  async incomingStorePacket (client: { id: string }, packet: AedesPacketLike): Promise<void> {
    await this.#writer.write([this.incomingOp(client.id, packet)], true)
  }

  async incomingGetPacket (client: { id: string }, packet: AedesPacketLike): Promise<StoredPacket> {
    const p = this.#incoming.get(client.id)?.get(packet.messageId ?? 0)
    if (p === undefined) throw new Error('no such packet')
    return p
  }

  async incomingDelPacket (client: { id: string }, packet: AedesPacketLike): Promise<void> {
    const m = this.#incoming.get(client.id)
    if (m === undefined || !m.delete(packet.messageId ?? 0)) return
    await this.#writer.write([{ type: 'del', sublevel: this.#db.incoming, key: `${enc(client.id)}:${String(packet.messageId ?? 0).padStart(5, '0')}` }], true)
  }

  async cleanIncoming (client: { id: string }): Promise<void> {
    const m = this.#incoming.get(client.id)
    if (m === undefined) return
    this.#incoming.delete(client.id)
    const ops: StoreOperation[] = [...m.keys()].map((id) => ({ type: 'del', sublevel: this.#db.incoming, key: `${enc(client.id)}:${String(id).padStart(5, '0')}` }))
    await this.#writer.write(ops, true)
  }

  async putWill (client: { id: string }, packet: AedesPacketLike): Promise<void> {
    const stored = { ...toStored({ ...packet, brokerId: this.runId, clientId: client.id }, clampQos(packet.qos), this.runId), runId: this.runId }
    this.#wills.set(client.id, stored)
    await this.#writer.write([{ type: 'put', sublevel: this.#db.wills, key: enc(client.id), value: encodePacket(stored) }], true)
  }

  /** The operation deleting a client's stored will, for the commit that publishes it: a stop or crash right after cannot publish it again. */
  delWillOp (clientId: string): StoreOperation | null {
    const will = this.#wills.get(clientId)
    if (will === undefined) return null
    this.#wills.delete(clientId)
    // kept until the commit is stored: a failed one puts the will back
    this.#willsDeleting.set(clientId, will)
    return { type: 'del', sublevel: this.#db.wills, key: enc(clientId) }
  }

  async getWill (client: { id: string }): Promise<StoredPacket | undefined> {
    return this.#wills.get(client.id)
  }

  async delWill (client: { id: string }): Promise<StoredPacket | undefined> {
    const will = this.#wills.get(client.id)
    if (will === undefined) return undefined
    this.#wills.delete(client.id)
    await this.#writer.write([{ type: 'del', sublevel: this.#db.wills, key: enc(client.id) }], true)
    return will
  }

  streamWill (brokers?: Record<string, unknown>): Readable {
    // Wills of earlier runs are published by the hub at start-up (lifecycle); aedes' periodic
    // sweep only sees wills of brokers it does not know, which here means none.
    const out = [...this.#wills.values()].filter((w) => brokers === undefined || brokers[w.runId] === undefined ? w.runId !== this.runId : false)
    return stream(out.map((w) => ({ ...w, brokerId: w.runId })))
  }

  getClientList (topic: string): Readable {
    const out: string[] = []
    for (const clientId of this.subscriptions.clients()) {
      if (this.subscriptions.of(clientId).some((s) => s.topic === topic)) out.push(clientId)
    }
    return stream(out)
  }

  async destroy (): Promise<void> {
    await this.#writer.flush()
  }
}

/** Marks a SUBSCRIBE entry the ACL refused, so it is never persisted (aedes passes the whole packet to addSubscriptions). */
export const REFUSED = Symbol.for('mango-broker.refused-subscription')
