// Once a session acknowledges queued messages, in order (one range clear) or out of order (single deletes), does LevelDB end up holding exactly the messages still owed, so that a restart redelivers those and nothing acknowledged?
import t, { type Test } from 'tap'
import { openStore, type Store } from '../../src/store/open-store.js'
import { RANGE_MIN } from '../../src/store/group-commit.js'

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

/** A fresh store with a persistent session per client id, subscribed to the salon, and `count` messages queued for each. */
async function sessionsWithQueue (t: Test, clientIds: readonly string[], count: number): Promise<{ store: Store, dataDir: string, counters: number[] }> {
  const dataDir = `${t.testdir()}/data`
  const store = await open(t, dataDir)
  for (const id of clientIds) await store.sessions.addSubscriptions({ id }, [{ topic: 'salon/s1/#', qos: 1 }])
  return { store, dataDir, counters: await queueMessages(store, count) }
}

/** The session acknowledges the message with this counter. */
function ack (store: Store, clientId: string, counter: number): void {
  const entry = store.sessions.queued(clientId, counter)
  if (entry === undefined) throw new Error(`nothing queued for ${clientId} at ${counter}`)
  store.sessions.discardQueued(clientId, entry)
}

function owed (store: Store, clientId: string): number[] {
  return [...(store.sessions.queueOf(clientId)?.entries.keys() ?? [])]
}

t.test('in-order and out-of-order acknowledgements: a restart loads exactly what is still owed', async (t) => {
  const { store, dataDir, counters } = await sessionsWithQueue(t, ['store-app', 'tablet-1'], 8)
  // store-app: the first three in order (one range, short enough to go in as deletes), then the sixth out of order (a single delete), then the fourth (in order again)
  for (const i of [0, 1, 2, 5, 3]) ack(store, 'store-app', counters[i] as number)
  // tablet-1 owes everything but its second: its range must not reach the other session's keys
  ack(store, 'tablet-1', counters[1] as number)
  t.same(owed(store, 'store-app'), [counters[4], counters[6], counters[7]], 'memory: store-app still owes the fifth, seventh and eighth')
  await store.close()

  const again = await open(t, dataDir)
  t.same(owed(again, 'store-app'), [counters[4], counters[6], counters[7]], 'after a restart, store-app is owed exactly those')
  t.same(owed(again, 'tablet-1'), counters.filter((_, i) => i !== 1), 'tablet-1 is owed all but the one it acknowledged')
  t.equal(await storedQueue(again), 3 + 7, 'and LevelDB holds no other queue key')
})

t.test('a long in-order run (cleared as a range) next to another session\'s queue: a restart loads exactly what is still owed', async (t) => {
  // 'store-app' and 'store-app-2': adjacent key prefixes, so a range running past its own keys would show
  const count = RANGE_MIN + 8
  const { store, dataDir, counters } = await sessionsWithQueue(t, ['store-app', 'store-app-2'], count)
  for (let i = 0; i < RANGE_MIN + 2; i++) ack(store, 'store-app', counters[i] as number)
  ack(store, 'store-app', counters[count - 1] as number)
  const stillOwed = counters.slice(RANGE_MIN + 2, count - 1)
  await store.close()

  const again = await open(t, dataDir)
  t.same(owed(again, 'store-app'), stillOwed, `store-app is owed exactly the ${stillOwed.length} it did not acknowledge`)
  t.same(owed(again, 'store-app-2'), counters, 'store-app-2 is owed everything')
  t.equal(await storedQueue(again), stillOwed.length + count, 'and LevelDB holds no other queue key')
})
