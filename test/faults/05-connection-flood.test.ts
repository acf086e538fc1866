// When hundreds of connections arrive past limits.maxConnections, are the extra ones refused at once with CONNACK 0x03 while the connected devices keep working, and is a freed slot usable again?
import { connect as netConnect } from 'node:net'
import t from 'tap'
import { metrics, sample } from '../helpers/coretests-http.js'
import { openSession } from '../helpers/coretests-mqtt.js'
import { packet } from '../helpers/coretests-raw.js'
import { faultHubArgs } from '../helpers/faults-hub-args.js'
import { assertNormalLatency, rss, startProbe, watchRss } from '../helpers/faults-probe.js'
import { spawnHub } from '../helpers/process.js'

const MAX = 20
/** Connections per wave; waves go on until the well-behaved loop has run alongside (bounded). */
const WAVE = 150
const MIN_WAVES = 2
const MAX_WAVES = 20
const MIN_ROUND_TRIPS = 10
/** Generous for "at once": a refused socket needs no CONNECT, no store, no auth. */
const PROMPT_MS = 3000

/** Connect, send CONNECT, collect the bytes until the hub closes (bounded); the time to close. */
function flooder (port: number, i: number): Promise<{ bytes: Buffer, closedMs: number | null }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const t0 = Date.now()
    const socket = netConnect({ host: '127.0.0.1', port })
    const timer = setTimeout(() => { socket.destroy(); resolve({ bytes: Buffer.concat(chunks), closedMs: null }) }, PROMPT_MS * 2)
    socket.on('error', () => {
      // a reset after the refusal is fine; what was received is what counts
    })
    socket.on('data', (d: Buffer) => { chunks.push(d) })
    socket.once('close', () => { clearTimeout(timer); resolve({ bytes: Buffer.concat(chunks), closedMs: Date.now() - t0 }) })
    socket.once('connect', () => { socket.write(packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: `flood-${i}`, keepalive: 0 })) })
  })
}

t.test(`waves of ${WAVE} connections past limits.maxConnections ${MAX}: each refused promptly with CONNACK 0x03, connected devices unaffected`, async (t) => {
  const hub = spawnHub(t, faultHubArgs(`${t.testdir()}/data`, ['--set', `limits.maxConnections=${MAX}`]))
  const ports = await hub.ready()
  const pid = hub.child.pid as number
  // the salon's devices fill the hub: the probe pair and the rest
  const probe = await startProbe(t, ports.mqtt)
  const devices = []
  for (let i = 0; i < MAX - 2; i++) devices.push(await openSession(t, { port: ports.mqtt, clientId: `device-${i}`, clean: true }))
  await devices[0]?.client.subscribeAsync('salon/s1/devices/#', { qos: 1 })
  const baseline = await probe.sample(30)
  const rssBefore = rss(pid)
  const watch = watchRss(pid)
  const loop = probe.start()

  const results: Array<{ bytes: Buffer, closedMs: number | null }> = []
  for (let wave = 0; wave < MAX_WAVES && (wave < MIN_WAVES || loop.count() < MIN_ROUND_TRIPS); wave++) {
    results.push(...await Promise.all(Array.from({ length: WAVE }, (_, i) => flooder(ports.mqtt, wave * WAVE + i))))
  }
  const FLOOD = results.length
  const during = await loop.stop()
  const rssMax = watch.stop()

  const refused = results.filter((r) => r.bytes.equals(Buffer.from([0x20, 0x02, 0x00, 0x03])))
  t.equal(refused.length, FLOOD, `all ${FLOOD} extra connections got exactly CONNACK 0x03 (server unavailable) [MQTT-3.2.2.3]`)
  const slowest = Math.max(...results.map((r) => r.closedMs ?? Infinity))
  t.ok(slowest <= PROMPT_MS, `and were closed by the hub, the slowest ${slowest} ms after connecting`)
  t.ok(devices.every((d) => d.client.connected), `the ${devices.length} connected devices stayed connected`)
  assertNormalLatency(t, baseline, during, { minRoundTrips: MIN_ROUND_TRIPS })
  t.ok(rssMax <= rssBefore * 2 + 64 * 1024 * 1024, `RSS stayed bounded: ${(rssMax / 1048576).toFixed(0)} MB at most, from ${(rssBefore / 1048576).toFixed(0)} MB`)
  const m = await metrics(ports.http as number)
  t.ok((sample(m.samples, 'mango_connections_refused_total', { reason: 'max-connections' }) ?? 0) >= FLOOD, 'mango_connections_refused_total{reason="max-connections"} counts them')
  t.equal(sample(m.samples, 'mango_connections'), MAX, `mango_connections is still ${MAX}`)

  await devices[1]?.client.publishAsync('salon/s1/devices/ping', 'after the flood', { qos: 1 })
  const [msg] = await (devices[0] as NonNullable<typeof devices[0]>).next(1)
  t.equal(msg?.payload, 'after the flood', 'connected devices still publish and receive')

  // a device leaving frees its slot for the next one
  await devices.pop()?.client.endAsync()
  const next = await openSession(t, { port: ports.mqtt, clientId: 'device-next', clean: true })
  t.equal(next.connack.returnCode, 0, 'once a device leaves, the next connection is accepted')
})
