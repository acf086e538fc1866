// When do live subscribers get a message that must be stored: a QoS 1 one while it is being stored (the fsync stays out of the delivery latency), a QoS 2 or retained one only once stored, and one publisher's messages always in the order they came?
import t, { type Test } from 'tap'
import { openStore, type Store } from '../../src/store/open-store.js'
import { PublishPipeline } from '../../src/broker/publish-pipeline.js'
import { type AedesPacket } from '../../src/broker/client-internals.js'

async function setup (t: Test): Promise<{ store: Store, pipeline: PublishPipeline, emitted: string[] }> {
  const store = await openStore({ dataDir: `${t.testdir()}/data`, fsync: true, queueLimits: { maxMessages: 100, maxBytes: 1 << 20, policy: 'drop-oldest' } })
  t.teardown(async () => { await store.close() })
  // a persistent session subscribed to the salon: every QoS 1 or 2 message gets a queued copy to store
  await store.sessions.addSubscriptions({ id: 'store-app' }, [{ topic: 'salon/s1/#', qos: 2 }])
  const emitted: string[] = []
  const broker = {
    counter: store.sessions.counter,
    id: store.sessions.brokerId,
    mq: { emit (packet: AedesPacket, cb: () => void) { emitted.push(packet.payload.toString()); cb() } },
    emit () { return true }
  }
  return { store, pipeline: new PublishPipeline(broker, store.sessions), emitted }
}

t.test('a QoS 1 message goes out live before its write completes; its queued copy is on disk when publish resolves', async (t) => {
  const { store, pipeline, emitted } = await setup(t)
  const publishing = pipeline.publish({ topic: 'salon/s1/checkin/new', payload: 'walk-in', qos: 1 }, { origin: 'device', clientId: 'check-in-1' })
  t.same(emitted, ['walk-in'], 'emitted at once, while the batch waits for its fsync')
  const packet = await publishing
  await store.close()
  const reopened = await openStore({ dataDir: `${t.testdirName}/data`, fsync: true, queueLimits: { maxMessages: 100, maxBytes: 1 << 20, policy: 'drop-oldest' } })
  t.teardown(async () => { await reopened.close() })
  t.ok(reopened.sessions.queued('store-app', packet.brokerCounter) !== undefined, 'the queued copy was written before publish resolved (the caller acknowledges then)')
})

t.test('QoS 2 and retained messages go out only once stored', async (t) => {
  const { pipeline, emitted } = await setup(t)
  const qos2 = pipeline.publish({ topic: 'salon/s1/checkin/new', payload: 'exactly-once', qos: 2 }, { origin: 'device', clientId: 'check-in-1' })
  const retained = pipeline.publish({ topic: 'salon/s1/waitlist/current', payload: 'list', qos: 1, retain: true }, { origin: 'device', clientId: 'store-app-2' })
  t.same(emitted, [], 'nothing goes out while they are being stored')
  await Promise.all([qos2, retained])
  t.same(emitted, ['exactly-once', 'list'], 'both go out once written')
})

t.test('a QoS 1 message does not overtake the same publisher\'s QoS 2 message still being stored', async (t) => {
  const { pipeline, emitted } = await setup(t)
  const first = pipeline.publish({ topic: 'salon/s1/checkin/new', payload: 'first-qos2', qos: 2 }, { origin: 'device', clientId: 'check-in-1' })
  const second = pipeline.publish({ topic: 'salon/s1/checkin/new', payload: 'second-qos1', qos: 1 }, { origin: 'device', clientId: 'check-in-1' })
  const other = pipeline.publish({ topic: 'salon/s1/checkin/new', payload: 'other-publisher', qos: 1 }, { origin: 'device', clientId: 'tablet-1' })
  t.same(emitted, ['other-publisher'], 'another publisher\'s QoS 1 message goes out at once; this one\'s waits')
  await Promise.all([first, second, other])
  t.same(emitted, ['other-publisher', 'first-qos2', 'second-qos1'], 'the publisher\'s own order is kept')
})
