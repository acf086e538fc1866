// Is /metrics valid Prometheus text that counts connections, messages in and out by QoS, queue depth, drops and refused connections?
import t from 'tap'
import { startHub } from '../helpers/hub.js'
import { connectClient, openSession, refusedConnect } from '../helpers/coretests-mqtt.js'
import { get, metrics, parseMetrics, sample } from '../helpers/coretests-http.js'
import { until } from '../helpers/wait.js'

t.test('/metrics is Prometheus text format 0.0.4 with a HELP and TYPE for each family', async (t) => {
  const { ports } = await startHub(t)
  const r = await get(ports.http as number, '/metrics')
  t.equal(r.status, 200)
  t.match(r.type, /^text\/plain; version=0\.0\.4/)
  const { types } = parseMetrics(r.text)
  t.match(Object.fromEntries(types), {
    mango_connections: 'gauge',
    mango_messages_in_total: 'counter',
    mango_messages_out_total: 'counter',
    mango_queue_depth: 'gauge',
    mango_queue_dropped_total: 'counter',
    mango_connections_refused_total: 'counter'
  })
  for (const name of types.keys()) t.match(r.text, `# HELP ${name} `, `${name} has HELP`)
})

t.test('the counters follow what devices do', async (t) => {
  const { ports } = await startHub(t, { limits: { maxConnections: 3, maxQueuedMessages: 1 } })
  const http = ports.http as number
  const offline = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await offline.client.subscribeAsync('salon/s9/#', { qos: 1 })
  await offline.client.endAsync()
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'tablet' })
  await sub.client.subscribeAsync('salon/s1/#', { qos: 2 })
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  await pad.publishAsync('salon/s1/a', '0', { qos: 0 })
  await pad.publishAsync('salon/s1/b', '1', { qos: 1 })
  await pad.publishAsync('salon/s1/c', '1', { qos: 1 })
  await pad.publishAsync('salon/s1/d', '2', { qos: 2 })
  await sub.next(4)
  await pad.publishAsync('salon/s9/x', 'q', { qos: 1 })
  await pad.publishAsync('salon/s9/y', 'q', { qos: 1 })
  const third = await openSession(t, { port: ports.mqtt, clientId: 'third' })
  const refused = await refusedConnect(t, { port: ports.mqtt, clientId: 'fourth' })
  t.equal(refused.code, 3)

  const m = (await metrics(http)).samples
  t.equal(sample(m, 'mango_connections'), 3, 'mango_connections: tablet, pad-1, third')
  t.equal(sample(m, 'mango_messages_in_total', { qos: '0' }), 1)
  t.equal(sample(m, 'mango_messages_in_total', { qos: '1' }), 4)
  t.equal(sample(m, 'mango_messages_in_total', { qos: '2' }), 1)
  t.equal(sample(m, 'mango_messages_out_total', { qos: '0' }), 1, 'one QoS 0 delivery')
  t.equal(sample(m, 'mango_messages_out_total', { qos: '1' }), 2, 'two QoS 1 deliveries')
  t.equal(sample(m, 'mango_messages_out_total', { qos: '2' }), 1, 'one QoS 2 delivery')
  t.equal(sample(m, 'mango_queue_depth'), 1, 'the offline session holds one message')
  t.equal(sample(m, 'mango_queue_dropped_total', { policy: 'drop-oldest' }), 1, 'and dropped one')
  t.equal(sample(m, 'mango_connections_refused_total', { reason: 'max-connections' }), 1)
  third.client.end(true)
})

t.test('messages sent from a session queue on reconnect count as messages out', async (t) => {
  const { ports } = await startHub(t)
  const http = ports.http as number
  const offline = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await offline.client.subscribeAsync('salon/s1/#', { qos: 1 })
  await offline.client.endAsync()
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  for (let i = 0; i < 3; i++) await pad.publishAsync('salon/s1/pad/signature', `q${i}`, { qos: 1 })
  const before = sample((await metrics(http)).samples, 'mango_messages_out_total', { qos: '1' }) ?? 0
  const again = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await again.next(3)
  const after = sample((await metrics(http)).samples, 'mango_messages_out_total', { qos: '1' }) ?? 0
  t.equal(after - before, 3, 'the three queued messages were counted when sent')
  await until(async () => sample((await metrics(http)).samples, 'mango_queue_depth') === 0, 5000, 'mango_queue_depth 0 once the PUBACKs are in')
  t.pass('mango_queue_depth falls to 0 once the messages are acknowledged')
})
