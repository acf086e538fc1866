// Over 20 SIGKILLs under continuous QoS 1 and QoS 2 load from several publishers, does every persistent subscriber get every acknowledged message, in each publisher's order, with duplicates only where QoS 1 allows them?
import t from 'tap'
import { faultHubArgs } from '../helpers/faults-hub-args.js'
import { loadPublisher, loadSubscriber, tally } from '../helpers/faults-load.js'
import { freePort } from '../helpers/coretests-raw.js'
import { spawnHub } from '../helpers/process.js'
import { until } from '../helpers/wait.js'

// 20 restarts of a Node process take most of a minute on a busy 2-core machine
t.setTimeout(240_000)

const CYCLES = 20
/** Acknowledgements to wait for between two kills: the kill lands in the middle of a busy stream. */
const ACKS_PER_CYCLE = 40
const WINDOW = 10

t.test(`${CYCLES} SIGKILLs under QoS 1 and QoS 2 load: 0 acknowledged messages lost, order per publisher kept, QoS 2 exactly once`, { timeout: 235_000 }, async (t) => {
  const dataDir = `${t.testdir()}/data`
  const port = await freePort()
  const args = faultHubArgs(dataDir, ['--mqtt-port', String(port)])
  let hub = spawnHub(t, args)
  await hub.ready()

  // store-app takes QoS 2 (exactly once end to end for the QoS 2 publisher); the tablet QoS 1
  const storeApp = await loadSubscriber(t, port, 'store-app', 'salon/s1/#', 2)
  const tablet = await loadSubscriber(t, port, 'staff-tablet', 'salon/s1/#', 1)
  let acks = 0
  const onAck = (): void => { acks++ }
  const publishers = [
    loadPublisher(t, port, 'check-in-1', 'salon/s1/checkin/client', 1, WINDOW, onAck),
    loadPublisher(t, port, 'check-in-2', 'salon/s1/checkin/staff', 1, WINDOW, onAck),
    loadPublisher(t, port, 'pad-1', 'salon/s1/payments/completed', 2, WINDOW, onAck)
  ]

  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const target = acks + ACKS_PER_CYCLE
    await until(() => acks >= target, 20_000, `${ACKS_PER_CYCLE} acknowledgements in cycle ${cycle}`)
    hub.kill('SIGKILL')
    t.equal(await hub.exited(), 'SIGKILL', `cycle ${cycle + 1}: killed after ${acks} acknowledgements in all`)
    hub = spawnHub(t, args)
    await hub.ready()
  }
  await Promise.all(publishers.map((p) => p.stop(30_000)))
  const owed = publishers.reduce((n, p) => n + p.acked.size, 0)
  t.ok(owed >= CYCLES * ACKS_PER_CYCLE, `${owed} messages acknowledged over the ${CYCLES} cycles`)

  for (const sub of [storeApp, tablet]) {
    // wait (bounded) until every acknowledged message has arrived; what is missing is named below
    const complete = await until(() => publishers.every((p) => tally(sub, p).lost.length === 0), 60_000, `${sub.clientId} to receive every acknowledged message`)
      .then(() => true, () => false)
    t.ok(complete, `${sub.clientId} received every acknowledged message within 60 s of the last restart`)
    for (const p of publishers) {
      const r = tally(sub, p)
      t.same(r.lost, [], `${sub.clientId} lost none of the ${r.acked} messages ${p.name} had acknowledged`)
      t.equal(r.outOfOrder, 0, `${sub.clientId} got ${p.name}'s messages in publish order [MQTT-4.6.0-6]`)
      const exactlyOnce = p.qos === 2 && sub === storeApp
      if (exactlyOnce) t.equal(r.duplicates, 0, `${sub.clientId} got ${p.name}'s QoS 2 messages exactly once [MQTT-4.3.3]`)
      else t.comment(`${sub.clientId} ← ${p.name} (QoS ${Math.min(p.qos, sub === storeApp ? 2 : 1)}): ${r.received} received, ${r.duplicates} duplicates (QoS 1 allows them)`)
    }
  }
})
