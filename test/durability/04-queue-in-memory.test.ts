// Does the store keep queued messages in memory (once for all the sessions they are queued for, within its byte budget) so that a reconnect drains them without reading LevelDB, read back from LevelDB what the budget left out, and give the memory back when they are acknowledged, dropped or discarded?
import t, { type Test } from 'tap'
import { openStore, type Store } from '../../src/store/open-store.js'
import { ClientQueue, PayloadBudget } from '../../src/store/queue-index.js'
import { type QueuedMessage, type QueueReader } from '../../src/store/queue-reader.js'

const PAYLOAD = 100

async function open (t: Test, dataDir: string, payloadCacheBytes: number, maxMessages = 100): Promise<Store> {
  const store = await openStore({ dataDir, fsync: true, queueLimits: { maxMessages, maxBytes: 1 << 20, policy: 'drop-oldest' }, payloadCacheBytes })
  t.teardown(async () => { await store.close() })
  return store
}

/** Subscribe the sessions to the salon and queue `count` QoS 1 messages of 100 bytes for them. */
async function queue (store: Store, clientIds: readonly string[], count: number): Promise<number[]> {
  const s = store.sessions
  for (const id of clientIds) await s.addSubscriptions({ id }, [{ topic: 'salon/s1/#', qos: 1 }])
  const counters: number[] = []
  for (let i = 1; i <= count; i++) {
    const payload = Buffer.alloc(PAYLOAD, String(i % 10))
    const packet = { cmd: 'publish', topic: `salon/s1/checkin/${i}`, payload, qos: 1, retain: false, dup: false, brokerId: s.brokerId, brokerCounter: s.counter + i }
    counters.push(packet.brokerCounter)
    await s.commit(s.planPublish(packet), true)
  }
  return counters
}

/** Drain a session's queue as a reconnect does (through the store's drainer); the messages, in order. */
async function drain (store: Store, clientId: string): Promise<QueuedMessage[]> {
  const got: QueuedMessage[] = []
  const done = new Promise<void>((resolve, reject) => {
    store.sessions.setDrainer(async (_client, reader: QueueReader) => {
      for (;;) {
        const batch = await reader.next(64)
        if (batch === null || batch.length === 0) break
        got.push(...batch)
      }
    })
    const stream = store.sessions.outgoingStream({ id: clientId })
    stream.on('error', reject)
    stream.on('end', resolve)
    stream.resume()
  })
  await done
  return got
}

async function forgetOnDisk (store: Store): Promise<void> {
  const sub = store.sublevel('queue')
  for await (const key of sub.keys()) await sub.del(key)
}

t.test('a message queued for three sessions is held once; a drain sends it from memory; acknowledgements give the memory back', async (t) => {
  const store = await open(t, `${t.testdir()}/data`, 1 << 20)
  const counters = await queue(store, ['store-app', 'tablet-1', 'tablet-2'], 4)
  const s = store.sessions
  for (const c of counters) {
    const held = s.queued('store-app', c)?.packet
    t.ok(held !== undefined && held === s.queued('tablet-1', c)?.packet && held === s.queued('tablet-2', c)?.packet, `message ${c}: one object for the three sessions`)
  }
  t.equal(s.payloadCache.used, 3 * 4 * PAYLOAD, 'the budget counts every queued copy')

  // LevelDB loses the queue behind the store's back: only memory can still answer the drain
  await forgetOnDisk(store)
  const got = await drain(store, 'tablet-1')
  t.same(got.map((m) => m.packet.topic), [1, 2, 3, 4].map((i) => `salon/s1/checkin/${i}`), 'the drain sends all four, in order, from memory')
  t.same(got.map((m) => m.packet.payload.length), [PAYLOAD, PAYLOAD, PAYLOAD, PAYLOAD], 'with their payloads')

  for (const id of ['store-app', 'tablet-1']) for (const c of counters) {
    const entry = s.queued(id, c)
    if (entry !== undefined) s.discardQueued(id, entry)
  }
  t.equal(s.payloadCache.used, 4 * PAYLOAD, 'two sessions acknowledged everything: only tablet-2\'s copies are held')
  await s.cleanSubscriptions({ id: 'tablet-2' })
  t.equal(s.payloadCache.used, 0, 'a clean session discarding the queue gives the rest back')
})

t.test('past the budget, queued messages are read back from LevelDB; a restart holds what fits again', async (t) => {
  const dataDir = `${t.testdir()}/data`
  const store = await open(t, dataDir, 2.5 * PAYLOAD)
  const counters = await queue(store, ['tablet-1'], 5)
  const s = store.sessions
  t.same(counters.map((c) => s.queued('tablet-1', c)?.packet !== undefined), [true, true, false, false, false], 'the first two fit the budget of 250 bytes')
  t.equal(s.payloadCache.used, 2 * PAYLOAD)
  const got = await drain(store, 'tablet-1')
  t.same(got.map((m) => m.packet.topic), [1, 2, 3, 4, 5].map((i) => `salon/s1/checkin/${i}`), 'all five in order, three of them read from LevelDB')
  t.same(got.map((m) => m.packet.payload.toString('utf8', 0, 1)), ['1', '2', '3', '4', '5'], 'each with its own payload')

  const first = s.queued('tablet-1', counters[0] as number)
  if (first !== undefined) s.discardQueued('tablet-1', first)
  t.equal(s.payloadCache.used, PAYLOAD, 'the acknowledged first one gives its bytes back')
  await store.close()

  const again = await open(t, dataDir, 2.5 * PAYLOAD)
  t.same(counters.slice(1).map((c) => again.sessions.queued('tablet-1', c)?.packet !== undefined), [true, true, false, false], 'loaded at start-up: the first two still owed are held')
  await forgetOnDisk(again)
  const after = await drain(again, 'tablet-1')
  t.same(after.map((m) => m.packet.topic), [2, 3].map((i) => `salon/s1/checkin/${i}`), 'LevelDB emptied: the drain still sends the two held in memory, and skips what it can no longer read')
})

t.test('a full queue dropping its oldest messages gives their memory back', async (t) => {
  const store = await open(t, `${t.testdir()}/data`, 1 << 20, 3)
  await queue(store, ['tablet-1'], 5)
  t.equal(store.sessions.queueOf('tablet-1')?.entries.size, 3, 'three kept')
  t.equal(store.sessions.payloadCache.used, 3 * PAYLOAD, 'and only their bytes held')
})

t.test('oldest() is the first message still queued, whatever was acknowledged, dropped, restored or queued since', async (t) => {
  const q = new ClientQueue(new PayloadBudget(0))
  const entry = (counter: number) => ({ counter, topic: 't', qos: 1 as const, bytes: 1, messageId: undefined, pubrel: false, packet: undefined })
  // a seeded sequence of operations, checked after each against the smallest live counter
  let seed = 7
  const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
  let next = 1
  let mismatches = 0
  for (let step = 0; step < 20_000; step++) {
    const op = random(10)
    const live = [...q.entries.keys()]
    if (op < 4 || live.length === 0) q.add(entry(next++))
    else if (op < 8) q.delete(live[0] as number)
    else if (op < 9) q.delete(live[random(live.length)] as number)
    else {
      const gone = q.delete(live[0] as number)
      if (gone !== undefined) q.restore([gone])
    }
    const expected = [...q.entries.keys()].reduce((m, c) => Math.min(m, c), Infinity)
    if ((q.oldest()?.counter ?? Infinity) !== expected) mismatches++
  }
  t.equal(mismatches, 0, 'oldest() agreed with the smallest counter still queued after each of 20,000 steps')
  t.ok(next > 5000, 'the sequence queued thousands of messages')
})
