// Does a device that subscribes while a retained message is still being stored get it once (live), and not also as a retained message from a value not yet written?
import { type Readable } from 'node:stream'
import t from 'tap'
import { openStore } from '../../src/store/open-store.js'
import { startHub } from '../helpers/hub.js'
import { openSession } from '../helpers/coretests-mqtt.js'
import { until } from '../helpers/wait.js'

async function topicsOf (stream: Readable): Promise<string[]> {
  const out: string[] = []
  for await (const p of stream) out.push(`${(p as { topic: string }).topic}=${(p as { payload: Buffer }).payload.toString()}`)
  return out
}

t.test('the store offers a retained value to new subscriptions only once it is written', async (t) => {
  const store = await openStore({ dataDir: `${t.testdir()}/data`, fsync: true, queueLimits: { maxMessages: 10, maxBytes: 1 << 20, policy: 'drop-oldest' } })
  t.teardown(async () => { await store.close() })
  const s = store.sessions
  const packet = (payload: string, brokerCounter: number) => ({ cmd: 'publish', topic: 'salon/s1/waitlist/current', payload: Buffer.from(payload), qos: 1, retain: true, dup: false, brokerId: s.brokerId, brokerCounter })
  await s.commit(s.planPublish(packet('v1', 1)), true)
  const writing = s.commit(s.planPublish(packet('v2', 2)), true)
  t.same(await topicsOf(s.createRetainedStream('salon/s1/#')), ['salon/s1/waitlist/current=v1'], 'while v2 is being written, a new subscription gets v1')
  await writing
  t.same(await topicsOf(s.createRetainedStream('salon/s1/#')), ['salon/s1/waitlist/current=v2'], 'once written, v2')
})

t.test('subscribing while retained values are being published: each value reaches the subscriber at most once, in order', async (t) => {
  const { ports } = await startHub(t)
  const pub = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'check-in' })
  const sent = Array.from({ length: 40 }, (_, i) => `v${String(i).padStart(2, '0')}`)
  // the SUBSCRIBE goes out in the middle of the burst, while values are being stored
  const publishing = Promise.all(sent.map((v) => pub.client.publishAsync('salon/s1/waitlist/current', v, { qos: 1, retain: true })))
  await sub.client.subscribeAsync('salon/s1/waitlist/current', { qos: 1 })
  await publishing
  await pub.client.publishAsync('salon/s1/waitlist/current', 'v99', { qos: 1, retain: true })
  await until(() => sub.messages.some((m) => m.payload === 'v99'), 5000, 'the last value')
  const payloads = sub.messages.map((m) => m.payload)
  t.same(payloads, [...new Set(payloads)], `no value twice (${payloads.join(' ')})`)
  t.same(payloads, [...payloads].sort(), 'in publish order')
})

t.test('a message received live is sent again as retained to a later subscription [MQTT-3.8.4-3]', async (t) => {
  const { ports } = await startHub(t)
  const pub = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'check-in' })
  await sub.client.subscribeAsync('salon/s1/waitlist/current', { qos: 1 })
  await pub.client.publishAsync('salon/s1/waitlist/current', 'list', { qos: 1, retain: true })
  await sub.next(1)
  await sub.client.subscribeAsync('salon/s1/waitlist/+', { qos: 1 })
  const got = await sub.next(2)
  t.same(got.map((m) => [m.payload, m.retain]), [['list', false], ['list', true]], 'live once, then as retained for the new subscription')
})
