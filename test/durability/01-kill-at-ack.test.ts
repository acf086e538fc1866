// Does every QoS 1 and QoS 2 message acknowledged just before a SIGKILL reach its offline persistent subscriber, in order, over three consecutive kill-and-restart cycles?
import t from 'tap'
import { startTarget } from '../helpers/process.js'
import { collect, connect, connectCollecting } from '../helpers/mqtt.js'

const BURST = 150

for (const qos of [1, 2] as const) {
  t.test(`QoS ${qos}: bursts acknowledged right before each of 3 SIGKILLs all arrive, in order, after the restarts`, async (t) => {
    const dataDir = `${t.testdir()}/data`
    let { proc, port } = await startTarget(t, dataDir)
    const sub = await connect(t, port, { clientId: 'store-app-sub', clean: false })
    await sub.subscribeAsync('salon/s1/#', { qos })
    await sub.endAsync()

    const expected: string[] = []
    for (let cycle = 0; cycle < 3; cycle++) {
      const pub = await connect(t, port, { clientId: `pub-${cycle}` })
      const acks = []
      for (let i = 0; i < BURST; i++) {
        const payload = `${cycle}:${i}`
        acks.push(pub.publishAsync('salon/s1/checkin/client', payload, { qos }).then(() => { expected.push(payload) }))
      }
      await Promise.all(acks)
      // the moment the publisher holds every acknowledgement
      proc.kill('SIGKILL')
      t.equal(await proc.exited(), 'SIGKILL', `cycle ${cycle}: the hub was killed`)
      pub.end(true)
      ;({ proc, port } = await startTarget(t, dataDir))
    }

    const { got } = await connectCollecting(t, port, { clientId: 'store-app-sub', clean: false })
    const messages = await got.next(expected.length, 20000)
    t.equal(messages.length, 3 * BURST, 'every acknowledged message arrived')
    t.same(messages.map((m) => m.payload), expected, 'in publish order, across the three restarts')
    t.ok(messages.every((m) => m.qos === qos), `at QoS ${qos}`)
  })
}

t.test('a retained message and a persistent subscription acknowledged just before SIGKILL survive 3 restarts', async (t) => {
  const dataDir = `${t.testdir()}/data`
  let { proc, port } = await startTarget(t, dataDir)
  for (let cycle = 0; cycle < 3; cycle++) {
    const c = await connect(t, port, { clientId: `tablet-${cycle}`, clean: false })
    await c.subscribeAsync(`salon/s1/turns/${cycle}`, { qos: 1 })
    await c.publishAsync('salon/s1/waitlist/current', `list-${cycle}`, { qos: 1, retain: true })
    proc.kill('SIGKILL')
    await proc.exited()
    c.end(true)
    ;({ proc, port } = await startTarget(t, dataDir))
  }
  const reader = await connect(t, port, { clientId: 'reader' })
  const got = collect(reader)
  await reader.subscribeAsync('salon/s1/waitlist/current', { qos: 1 })
  const [retained] = await got.next(1)
  t.equal(retained?.payload, 'list-2', 'the last retained value survived')
  t.equal(retained?.retain, true, 'delivered as retained [MQTT-3.3.1-8]')
  // every subscription made before a kill is still there: a publish reaches each session's queue
  const pub = await connect(t, port, { clientId: 'pub' })
  for (let cycle = 0; cycle < 3; cycle++) await pub.publishAsync(`salon/s1/turns/${cycle}`, `turn-${cycle}`, { qos: 1 })
  for (let cycle = 0; cycle < 3; cycle++) {
    const { got: q } = await connectCollecting(t, port, { clientId: `tablet-${cycle}`, clean: false })
    const [m] = await q.next(1)
    t.equal(m?.payload, `turn-${cycle}`, `tablet-${cycle}'s subscription survived the kills`)
  }
})
