// Fed thousands of mutated and random MQTT packets on hundreds of connections, does the hub stay up, keep a well-behaved client's request/response loop at normal latency, and keep its memory bounded?
import t from 'tap'
import { getJson, metrics, sample } from '../helpers/coretests-http.js'
import { openSession } from '../helpers/coretests-mqtt.js'
import { Fuzz, fuzzConnection, type Outcome } from '../helpers/faults-fuzz.js'
import { faultHubArgs } from '../helpers/faults-hub-args.js'
import { assertNormalLatency, rss, startProbe, watchRss } from '../helpers/faults-probe.js'
import { spawnHub } from '../helpers/process.js'

const SEED = Number(process.env.MANGO_FUZZ_SEED ?? 0x6d616e67)
const CONNECTIONS = 400
const PARALLEL = 16
/** How long a fuzz connection waits for the hub to close it before closing it itself. */
const LINGER_MS = 300

t.test(`${CONNECTIONS} fuzz connections (seed ${SEED}): the hub stays up, serves a well-behaved client at normal latency, RSS bounded`, async (t) => {
  t.comment(`reproduce with MANGO_FUZZ_SEED=${SEED}`)
  const hub = spawnHub(t, faultHubArgs(`${t.testdir()}/data`, ['--set', 'limits.maxConnections=200']))
  const ports = await hub.ready()
  const pid = hub.child.pid as number
  const probe = await startProbe(t, ports.mqtt)
  const baseline = await probe.sample(40)
  const rssBefore = rss(pid)
  const watch = watchRss(pid)
  const loop = probe.start()

  const fuzz = new Fuzz(SEED)
  const outcomes = new Map<Outcome, number>()
  let packets = 0
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < CONNECTIONS) {
      next++
      const session = fuzz.session()
      packets += session.length
      const outcome = await fuzzConnection(ports.mqtt, session.flatMap((p) => fuzz.split(p)), LINGER_MS)
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))

  const during = await loop.stop()
  const rssMax = watch.stop()
  t.comment(`${packets} packets on ${CONNECTIONS} connections: ${[...outcomes].map(([k, v]) => `${v} ${k}`).join(', ')}`)
  t.equal(hub.child.exitCode, null, 'the hub process is still running')
  t.equal(outcomes.get('refused') ?? 0, 0, 'every fuzz connection was accepted (none refused for lack of resources)')
  t.ok((outcomes.get('closed by hub') ?? 0) > CONNECTIONS / 4, 'the hub closed the connections that sent it garbage')
  assertNormalLatency(t, baseline, during)
  t.ok(rssMax <= rssBefore * 2 + 64 * 1024 * 1024, `RSS stayed bounded: ${(rssMax / 1048576).toFixed(0)} MB at most, from ${(rssBefore / 1048576).toFixed(0)} MB`)

  const m = await metrics(ports.http as number)
  t.ok((sample(m.samples, 'mango_bad_packets_total') ?? 0) > 0, 'the guards saw bad packets (mango_bad_packets_total)')
  t.equal((await getJson(ports.http as number, '/health')).status, 200, '/health still answers')
  const fresh = await openSession(t, { port: ports.mqtt, clientId: 'after-fuzz', clean: true })
  await fresh.client.subscribeAsync('salon/s1/after', { qos: 1 })
  await fresh.client.publishAsync('salon/s1/after', 'still serving', { qos: 1 })
  const [m1] = await fresh.next(1)
  t.equal(m1?.payload, 'still serving', 'a new client connects, subscribes and gets its message')
})
