// When a LevelDB write fails, does the store put memory back to what was acknowledged, refuse durable work, and once LevelDB is reopened rewrite every key the failed writes touched, so that a restart loads exactly what memory held?
import t, { type Test } from 'tap'
import { encodePacket, type StoredPacket } from '../../src/store/codec.js'
import { openStore, type Store } from '../../src/store/open-store.js'
import { repairOps } from '../../src/store/repair.js'
import { type DirtyKeys } from '../../src/store/group-commit.js'
import { until } from '../helpers/wait.js'

const LIMITS = { maxMessages: 3, maxBytes: 1024 * 1024, policy: 'drop-oldest' as const }

async function open (t: Test, dataDir: string, retryMs = 50): Promise<Store> {
  const store = await openStore({ dataDir, fsync: true, queueLimits: LIMITS, retryMs, maxRetryMs: retryMs })
  t.teardown(async () => { await store.close() })
  return store
}

let counter = 0
/** Plan and commit one QoS 1 publish as the pipeline does. */
async function publish (store: Store, topic: string, payload: string, retain = false): Promise<void> {
  counter++
  const packet = { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain, dup: false, brokerId: store.sessions.brokerId, brokerCounter: counter }
  await store.sessions.commit(store.sessions.planPublish(packet), true)
}

/** What a restart would load, in comparable form. */
function snapshot (store: Store): Record<string, unknown> {
  const s = store.sessions
  const queue = [...(s.queueOf('store-app')?.entries.values() ?? [])].map((e) => ({ counter: e.counter, topic: e.topic, qos: e.qos, pubrel: e.pubrel }))
  const retained = [...s.retained.match(['#'])].map((p) => `${p.topic}=${p.payload.toString()}`).sort()
  return { queue, retained, subs: s.subscriptions.of('store-app'), will: s.memoryTruth().will('pad-1')?.topic ?? null, ghostWill: s.memoryTruth().will('ghost-pad')?.topic ?? null }
}

t.test('a failed batch rolls memory back (queue drops, retained, inbound QoS 2, will), refuses durable writes, and recovery resumes them', async (t) => {
  const dataDir = `${t.testdir()}/data`
  const store = await open(t, dataDir)
  const s = store.sessions
  await s.addSubscriptions({ id: 'store-app' }, [{ topic: 'salon/s1/#', qos: 2 }])
  for (let i = 0; i < 3; i++) await publish(store, `salon/s1/q/${i}`, `m${i}`)
  await publish(store, 'salon/s1/waitlist', 'list-1', true)
  await s.putWill({ id: 'pad-1' }, { topic: 'salon/s1/pad/offline', payload: Buffer.from('gone'), qos: 1, retain: false })
  const before = snapshot(store)
  const beforeQueue = [...(s.queueOf('store-app')?.entries.keys() ?? [])]

  // LevelDB closed under the store: the next batch fails as a dead disk would
  await store.db.close()
  counter++
  const plan = s.planPublish({ cmd: 'publish', topic: 'salon/s1/waitlist', payload: Buffer.from('list-2'), qos: 2, retain: true, brokerId: s.brokerId, brokerCounter: counter })
  const extra = [s.incomingOp('pad-1', { topic: 'salon/s1/waitlist', payload: Buffer.from('list-2'), qos: 2, messageId: 77 })]
  const willOp = s.delWillOp('pad-1')
  if (willOp !== null) extra.push(willOp)
  t.equal(s.queueOf('store-app')?.entries.size, 3, 'the plan dropped the oldest queued message to stay within 3 (and queued the new one)')
  await t.rejects(s.commit(plan, true, extra), { code: 'MANGO_ERR_STORE_IO' }, 'the commit is rejected with a store error')
  t.same([...(s.queueOf('store-app')?.entries.keys() ?? [])], beforeQueue, 'the queue is back as it was: the dropped message restored, in order, the new one gone')
  t.same(snapshot(store), before, 'retained value and the will are back too')
  t.equal(s.hasIncoming('pad-1', 77), false, 'the inbound QoS 2 record is gone, so a retransmission is stored and delivered again')
  t.equal(store.writer.failing, true, 'the writer reports failing')

  await t.rejects(store.writer.write([{ type: 'put', sublevel: s.memoryTruth().sublevels.meta, key: 'x', value: Buffer.from('y') }], true), { code: 'MANGO_ERR_STORE_IO' }, 'a durable write is refused while failing')
  const entry = s.queueOf('store-app')?.oldest()
  const cleared = await s.outgoingClearMessageId({ id: 'store-app' }, { topic: '', messageId: await assign(store, entry?.counter ?? -1) })
  t.equal(cleared?.topic, entry?.topic, 'a PUBACK is still processed in memory while failing (its delete waits for recovery)')

  await until(() => !store.writer.failing, 10_000, 'the store to recover')
  t.pass('LevelDB was reopened and writes resumed without a restart')
  await publish(store, 'salon/s1/after', 'after')
  const expected = snapshot(store)
  await store.close()
  const again = await open(t, dataDir)
  t.same(snapshot(again), expected, 'a restart loads exactly what memory held: the PUBACKed message gone, the refused ones absent, the later one present')
})

/** Give a queued entry a packet id as a delivery would; resolves the id. */
async function assign (store: Store, counter: number): Promise<number> {
  const entry = store.sessions.queued('store-app', counter)
  if (entry === undefined) throw new Error(`no queued entry ${counter}`)
  await store.sessions.assignMessageId('store-app', entry, 4242)
  return 4242
}

t.test('repair rewrites, from memory, keys a failed batch may have left different on disk', async (t) => {
  const dataDir = `${t.testdir()}/data`
  const store = await open(t, dataDir)
  const s = store.sessions
  const subs = s.memoryTruth().sublevels
  await s.addSubscriptions({ id: 'store-app' }, [{ topic: 'salon/s1/#', qos: 1 }])
  await publish(store, 'salon/s1/q/1', 'kept')
  await publish(store, 'salon/s1/waitlist', 'list-1', true)
  const memory = snapshot(store)
  const kept = s.queueOf('store-app')?.oldest()?.counter ?? -1

  // what a batch reported as failed, but which reached the disk (fsync error after the write)
  const ghost: StoredPacket = { cmd: 'publish', topic: 'salon/s1/ghost', payload: Buffer.from('ghost'), qos: 1, retain: false, dup: false, brokerId: s.brokerId, brokerCounter: 999, messageId: undefined, clientId: undefined }
  const landed = [
    { sublevel: subs.queue, key: `store-app:${String(999).padStart(16, '0')}`, value: encodePacket(ghost) },
    { sublevel: subs.retained, key: 'salon/s1/waitlist', value: encodePacket({ ...ghost, topic: 'salon/s1/waitlist', payload: Buffer.from('list-ghost'), retain: true }) },
    { sublevel: subs.subs, key: 'store-app:salon/s1/ghost/#', value: Buffer.from(JSON.stringify({ topic: 'salon/s1/ghost/#', qos: 1 })) },
    { sublevel: subs.wills, key: 'ghost-pad', value: encodePacket({ ...ghost, topic: 'salon/s1/pad/offline' }) }
  ]
  for (const l of landed) await l.sublevel.put(l.key, l.value)
  // and a delete after PUBACK that memory made but the disk missed
  const missed = `store-app:${String(kept).padStart(16, '0')}`
  s.queueOf('store-app')?.delete(kept)
  const dirty: DirtyKeys = new Map()
  for (const l of [...landed, { sublevel: subs.queue, key: missed }]) {
    const set = dirty.get(l.sublevel) ?? new Set<string>()
    set.add(l.key)
    dirty.set(l.sublevel, set)
  }
  const ops = await repairOps(s.memoryTruth(), dirty)
  t.equal(ops.length, 5, 'one operation per dirty key')
  await (store.db.batch as unknown as (o: typeof ops, options: { sync: boolean }) => Promise<void>).call(store.db, ops, { sync: true })
  const expected = { ...memory, queue: (memory.queue as Array<{ counter: number }>).filter((e) => e.counter !== kept) }
  t.same(snapshot(store), expected, 'memory: the PUBACKed message gone')
  await store.close()
  const again = await open(t, dataDir)
  t.same(snapshot(again), expected, 'after a restart: no ghost queue entry, subscription or will, the retained value memory had, the PUBACKed message gone')
})
