// When the data directory fills up or turns read-only under a running hub, does it refuse QoS 1 work instead of acknowledging what it cannot store, say so, and recover by itself once the disk does, without losing anything it acknowledged?
import t from 'tap'
import { getJson, metrics, sample } from '../helpers/coretests-http.js'
import { openSession } from '../helpers/coretests-mqtt.js'
import { packet, rawConnect } from '../helpers/coretests-raw.js'
import { canMount, smallDisk } from '../helpers/faults-disk.js'
import { faultHubArgs } from '../helpers/faults-hub-args.js'
import { spawnHub } from '../helpers/process.js'
import { until } from '../helpers/wait.js'

const cannotMount = canMount()
const TOPIC = 'salon/s1/checkin/client'

/** One QoS 1 PUBLISH on a fresh raw connection: did the hub acknowledge it, or close the connection without PUBACK? */
let connections = 0
async function publishOnce (t: Parameters<typeof rawConnect>[0], port: number, payload: string): Promise<'acked' | 'closed'> {
  const raw = await rawConnect(t, port)
  raw.socket.write(packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: `pad-${++connections}`, keepalive: 0 }))
  const connack = await raw.nextPacket()
  if (connack.cmd !== 'connack' || connack.returnCode !== 0) throw new Error(`CONNACK ${JSON.stringify(connack)}`)
  raw.socket.write(packet({ cmd: 'publish', topic: TOPIC, payload, qos: 1, messageId: 7, retain: false, dup: false }))
  try {
    const answer = await raw.nextPacket(10000)
    if (answer.cmd !== 'puback') throw new Error(`expected PUBACK, got ${answer.cmd}`)
    raw.socket.destroy()
    return 'acked'
  } catch (err) {
    if (/closed/.test((err as Error).message)) return 'closed'
    throw err
  }
}

t.test('a full disk, then a read-only one: QoS 1 refused without PUBACK, /ready 503, then recovery with every acknowledged message kept', { skip: cannotMount ?? false, timeout: 110_000 }, async (t) => {
  const disk = smallDisk(t, 12 * 1024 * 1024)
  const dataDir = `${disk.dir}/data`
  let hub = spawnHub(t, faultHubArgs(dataDir, ['--log-level', 'info']))
  let ports = await hub.ready()
  const http = (): number => ports.http as number

  // a persistent subscriber goes offline: every acknowledged message must be queued on disk
  const sub = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await sub.client.subscribeAsync('salon/s1/#', { qos: 1 })
  await sub.client.endAsync()
  // a live clean subscriber for QoS 0 traffic during the trouble
  const live = await openSession(t, { port: ports.mqtt, clientId: 'tablet-live', clean: true })
  await live.client.subscribeAsync('salon/s1/waitlist/#', { qos: 0 })

  const acked: string[] = []
  for (let i = 0; i < 10; i++) {
    t.equal(await publishOnce(t, ports.mqtt, `before-${i}`), 'acked', `before-${i} acknowledged while the disk has room`)
    acked.push(`before-${i}`)
  }

  disk.fill()
  t.equal(disk.free(), 0, 'the data directory\'s filesystem is full')
  // LevelDB appends to a log file page by page: the first writes may still fit its last page
  let refused: string | null = null
  for (let i = 0; i < 200 && refused === null; i++) {
    const payload = `full-${i}-${'x'.repeat(200)}`
    if (await publishOnce(t, ports.mqtt, payload) === 'acked') acked.push(payload)
    else refused = payload
  }
  t.not(refused, null, 'a QoS 1 publish the hub could not store was refused: connection closed, no PUBACK')
  const line = await hub.line((l) => l.msg === 'publish not stored: not acknowledged, connection closed', 5000, 'the refusal log line')
  t.equal(line.level, 50, 'logged at error level (a store fault)')
  t.match(JSON.stringify(line.err), /No space left on device|LevelDB writes are failing/, 'the log line names the cause')
  t.notMatch(JSON.stringify(line), /full-\d+-x{20}/, 'the payload is not logged')

  const ready = await getJson<{ ready: boolean, reasons: string[] }>(http(), '/ready')
  t.equal(ready.status, 503, '/ready answers 503 while writes fail')
  t.match(ready.body.reasons.join(' '), /store writes failing/, 'and names the store')
  const m = await metrics(http())
  t.equal(sample(m.samples, 'mango_store_failing'), 1, 'mango_store_failing is 1')
  t.ok((sample(m.samples, 'mango_store_errors_total') ?? 0) >= 1, 'mango_store_errors_total counts the refused publish')
  t.equal(await publishOnce(t, ports.mqtt, 'still-full'), 'closed', 'the next QoS 1 publish is refused too')

  // QoS 0 needs no disk: it keeps flowing to a connected subscriber
  const pad = await openSession(t, { port: ports.mqtt, clientId: 'pad-qos0', clean: true })
  await pad.client.publishAsync('salon/s1/waitlist/updated', 'qos0-during-trouble', { qos: 0 })
  const [q0] = await live.next(1, 5000)
  t.equal(q0?.payload, 'qos0-during-trouble', 'a QoS 0 message is still delivered live')

  // the hub closed LevelDB to reopen it: the filesystem can now be made read-only under it
  await until(() => disk.remountReadOnly(), 15000, 'remount read-only (LevelDB closed by the hub)')
  let lastError = ''
  await until(async () => /read-only/i.test(lastError = String((await getJson<{ persistence: { lastError: string | null } }>(http(), '/status')).body.persistence.lastError)), 20000, 'a reopen attempt to meet the read-only filesystem').catch((err: Error) => { throw new Error(`${err.message}; last error: ${lastError}`) })
  t.pass('the hub\'s reopen attempts see a read-only data directory and keep failing')
  t.equal((await getJson(http(), '/ready')).status, 503, '/ready stays 503 while read-only')
  t.equal(await publishOnce(t, ports.mqtt, 'read-only'), 'closed', 'a QoS 1 publish is refused while read-only')

  disk.remountReadWrite()
  disk.unfill()
  await until(async () => (await getJson(http(), '/ready')).status === 200, 30000, '/ready 200 after the disk recovered')
  t.pass('/ready answers 200 again once the disk takes writes, without a restart')
  t.equal(sample((await metrics(http())).samples, 'mango_store_failing'), 0, 'mango_store_failing back to 0')
  for (let i = 0; i < 5; i++) {
    t.equal(await publishOnce(t, ports.mqtt, `after-${i}`), 'acked', `after-${i} acknowledged after recovery`)
    acked.push(`after-${i}`)
  }

  const back = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  const got = await back.next(acked.length, 15000)
  t.same(got.map((g) => g.payload), acked, 'the persistent subscriber gets every acknowledged message, in order, and nothing that was refused')
  await back.client.endAsync()

  // what is written after recovery is durable: acknowledged, SIGKILL, restart, delivered
  const late: string[] = []
  for (let i = 0; i < 5; i++) {
    t.equal(await publishOnce(t, ports.mqtt, `late-${i}`), 'acked', `late-${i} acknowledged`)
    late.push(`late-${i}`)
  }
  hub.kill('SIGKILL')
  await hub.exited()
  hub = spawnHub(t, faultHubArgs(dataDir))
  ports = await hub.ready()
  const again = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  const after = await again.next(late.length, 15000)
  t.same(after.map((g) => g.payload), late, 'messages acknowledged after the recovery survive a SIGKILL')
  // a marker published now comes right behind them: nothing else (no refused message) was queued
  t.equal(await publishOnce(t, ports.mqtt, 'marker'), 'acked', 'a marker acknowledged after the restart')
  const withMarker = await again.next(late.length + 1, 10000)
  t.same(withMarker.map((g) => g.payload), [...late, 'marker'], 'and nothing else: no refused message comes back')
})
