// Defect 3: does an offline session's queue come back complete and in order after any number of graceful restarts (aedes-persistence-level keys it by an in-memory counter)?
import t from 'tap'
import { startTarget } from '../helpers/process.js'
import { connect, connectCollecting } from '../helpers/mqtt.js'

t.test('four graceful restarts with the subscriber offline: all 200 queued messages arrive in order', async (t) => {
  const dataDir = `${t.testdir()}/data`
  let { proc, port } = await startTarget(t, dataDir)
  const sub = await connect(t, port, { clientId: 'check-in-1', clean: false })
  await sub.subscribeAsync('salon/s1/waitlist/#', { qos: 1 })
  await sub.endAsync()
  const expected: string[] = []
  for (let cycle = 0; cycle < 4; cycle++) {
    const pub = await connect(t, port, { clientId: `store-app-${cycle}` })
    for (let i = 0; i < 50; i++) {
      const payload = `${cycle}-${String(i).padStart(2, '0')}`
      await pub.publishAsync('salon/s1/waitlist/updated', payload, { qos: 1 })
      expected.push(payload)
    }
    await pub.endAsync()
    proc.kill('SIGTERM')
    t.equal(await proc.exited(), 0, `restart ${cycle}: graceful exit`)
    ;({ proc, port } = await startTarget(t, dataDir))
  }
  const { got } = await connectCollecting(t, port, { clientId: 'check-in-1', clean: false })
  let messages
  try {
    messages = await got.next(expected.length, 10000)
  } catch {
    messages = got.messages
  }
  t.equal(messages.length, expected.length, 'nothing overwritten')
  t.same(messages.map((m) => m.payload), expected, 'in order')
})
