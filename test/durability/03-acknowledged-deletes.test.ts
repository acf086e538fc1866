// Once a session acknowledges queued messages, in order (one range clear) or out of order (single deletes), does LevelDB end up holding exactly the messages still owed, so that a restart redelivers those and nothing acknowledged?
import t, { type Test } from 'tap'
import { openStore, type Store } from '../../src/store/open-store.js'
import { RANGE_MIN } from '../../src/store/group-commit.js'
import { type QueueEntry } from '../../src/store/queue-index.js'

const LIMITS = { maxMessages: 100, maxBytes: 1024 * 1024, policy: 'drop-oldest' as const }

async function open (t: Test, dataDir: string): Promise<Store> {
  const store = await openStore({ dataDir, fsync: true, queueLimits: LIMITS })
  t.teardown(async () => { await store.close() })
  return store
}

async function queueMessages (store: Store, count: number): Promise<number[]> {
  const s = store.sessions
  const counters: number[] = []
  for (let i = 1; i <= count; i++) {
    const packet = { cmd: 'publish', topic: `salon/s1/checkin/${i}`, payload: Buffer.from(`m${i}`), qos: 1, retain: false, dup: false, brokerId: s.brokerId, brokerCounter: s.counter + i }
    counters.push(packet.brokerCounter)
    await s.commit(s.planPublish(packet), true)
  }
  return counters
}

async function storedQueue (store: Store): Promise<number> {
  let n = 0
  for await (const key of store.sublevel('queue').keys()) if (key.length > 0) n++
  return n
}

t.test('in-order and out-of-order acknowledgements: a restart loads exactly what is still owed', async (t) => {
  const dataDir = `${t.testdir()}/data`
  const store = await open(t, dataDir)
  const s = store.sessions
  await s.addSubscriptions({ id: 'store-app' }, [{ topic: 'salon/s1/#', qos: 1 }])
  await s.addSubscriptions({ id: 'tablet-1' }, [{ topic: 'salon/s1/#', qos: 1 }])
  const counters = await queueMessages(store, 8)
  const ack = (clientId: string, counter: number): void => {
    const entry = s.queued(clientId, counter)
    if (entry === undefined) throw new Error(`nothing queued for ${clientId} at ${counter}`)
    s.discardQueued(clientId, entry)
  }
  // store-app: the first three in order (a range), then the sixth out of order (a single delete), then the fourth (in order again)
  for (const i of [0, 1, 2, 5, 3]) ack('store-app', counters[i] as number)
  // tablet-1 owes everything but its second: its range must not reach the other session's keys
  ack('tablet-1', counters[1] as number)
  t.same([...(s.queueOf('store-app')?.entries.keys() ?? [])], [counters[4], counters[6], counters[7]], 'memory: store-app still owes the fifth, seventh and eighth')
  await store.close()

  const again = await open(t, dataDir)
  t.same([...(again.sessions.queueOf('store-app')?.entries.keys() ?? [])], [counters[4], counters[6], counters[7]], 'after a restart, store-app is owed exactly those')
  t.same([...(again.sessions.queueOf('tablet-1')?.entries.keys() ?? [])], counters.filter((_, i) => i !== 1), 'tablet-1 is owed all but the one it acknowledged')
  t.equal(await storedQueue(again), 3 + 7, 'and LevelDB holds no other queue key')
})

t.test('a long in-order run (cleared as a range) next to another session\'s queue: a restart loads exactly what is still owed', async (t) => {
  const dataDir = `${t.testdir()}/data`
  const store = await open(t, dataDir)
  const s = store.sessions
  // 'store-app' and 'store-app-2': adjacent key prefixes, so a range running past its own keys would show
  await s.addSubscriptions({ id: 'store-app' }, [{ topic: 'salon/s1/#', qos: 1 }])
  await s.addSubscriptions({ id: 'store-app-2' }, [{ topic: 'salon/s1/#', qos: 1 }])
  const count = RANGE_MIN + 8
  const counters = await queueMessages(store, count)
  for (let i = 0; i < RANGE_MIN + 2; i++) s.discardQueued('store-app', s.queued('store-app', counters[i] as number) as QueueEntry)
  s.discardQueued('store-app', s.queued('store-app', counters[count - 1] as number) as QueueEntry)
  const owed = counters.slice(RANGE_MIN + 2, count - 1)
  await store.close()

  const again = await open(t, dataDir)
  t.same([...(again.sessions.queueOf('store-app')?.entries.keys() ?? [])], owed, `store-app is owed exactly the ${owed.length} it did not acknowledge`)
  t.same([...(again.sessions.queueOf('store-app-2')?.entries.keys() ?? [])], counters, 'store-app-2 is owed everything')
  t.equal(await storedQueue(again), owed.length + count, 'and LevelDB holds no other queue key')
})
