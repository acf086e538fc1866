// Defect 6: does the hub bound what a device can make it hold: packet size (before buffering), connections (the 51st gets CONNACK 0x03) and each session's offline queue?
import { connect as netConnect, type Socket } from 'node:net'
import { once } from 'node:events'
import t from 'tap'
import { startTarget } from '../helpers/process.js'
import { collect, connect, connectCollecting } from '../helpers/mqtt.js'

function raw (port: number): Promise<Socket> {
  const s = netConnect(port, '127.0.0.1')
  return once(s, 'connect').then(() => s)
}

/** Resolve what the socket receives or 'closed', whichever comes first, or 'open' after ms. */
function outcome (s: Socket, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('open'), ms)
    s.once('data', (d: Buffer) => { clearTimeout(timer); resolve(`data ${d.toString('hex')}`) })
    s.once('close', () => { clearTimeout(timer); resolve('closed') })
    s.once('error', () => {})
  })
}

t.test('a CONNECT declaring 200 MiB is cut off at its header; another client is served meanwhile', async (t) => {
  const { port } = await startTarget(t, `${t.testdir()}/data`)
  const s = await raw(port)
  t.teardown(() => { s.destroy() })
  // fixed header: CONNECT, remaining length 200 MiB (varint), then a few body bytes
  const len = 200 * 1024 * 1024
  s.write(Buffer.from([0x10, (len & 0x7f) | 0x80, ((len >> 7) & 0x7f) | 0x80, ((len >> 14) & 0x7f) | 0x80, (len >> 21) & 0x7f, 0, 4, 0x4d, 0x51]))
  t.equal(await outcome(s, 3000), 'closed', 'the connection was closed instead of buffering')
  const ok = await connect(t, port, { clientId: 'well-behaved' })
  t.ok(ok.connected, 'the hub keeps serving')
})

t.test('with 50 connections open, the 51st gets CONNACK 0x03 and is closed; the 50 keep working', async (t) => {
  const { port } = await startTarget(t, `${t.testdir()}/data`)
  const clients = []
  for (let i = 0; i < 50; i++) clients.push(await connect(t, port, { clientId: `device-${i}` }))
  const extra = await raw(port)
  t.teardown(() => { extra.destroy() })
  const got = outcome(extra, 3000)
  // CONNECT for MQTT 3.1.1, client id "x51"
  extra.write(Buffer.from([0x10, 15, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 3, 0x78, 0x35, 0x31]))
  t.equal(await got, 'data 20020003', 'CONNACK with return code 0x03 (server unavailable)')
  const first = clients[0]
  const last = clients[49]
  if (first === undefined || last === undefined) throw new Error('clients missing')
  await last.subscribeAsync('salon/s1/x', { qos: 1 })
  const inbox = collect(last)
  await first.publishAsync('salon/s1/x', 'still working', { qos: 1 })
  const [m] = await inbox.next(1)
  t.equal(m?.payload, 'still working')
})

t.test('an offline session\'s queue is bounded at limits.maxQueuedMessages (10000 by default)', async (t) => {
  const { port } = await startTarget(t, `${t.testdir()}/data`)
  const sub = await connect(t, port, { clientId: 'tablet-away', clean: false })
  await sub.subscribeAsync('salon/s1/#', { qos: 1 })
  await sub.endAsync()
  const pub = await connect(t, port, { clientId: 'pub' })
  const total = 10050
  for (let i = 0; i < total; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, total - i) }, (_, k) => pub.publishAsync('salon/s1/tickets/updated', String(i + k), { qos: 1 })))
  }
  const { got: inbox } = await connectCollecting(t, port, { clientId: 'tablet-away', clean: false })
  const messages = await inbox.next(10000, 30000)
  // the marker proves the queue has been drained: nothing more was kept
  await pub.publishAsync('salon/s1/marker', 'end', { qos: 1 })
  await inbox.next(10001, 10000)
  t.equal(inbox.messages.length, 10001, '10000 queued messages plus the live marker, no more')
  t.equal(messages[0]?.payload, '50', 'the oldest 50 were dropped (drop-oldest)')
})
