// Under WebSocket upgrades with thousands of headers, oversize CONNECTs and frames, and subscribers that stop reading while a publisher floods them, does the hub refuse each, close the slow readers past limits.maxClientBufferBytes, keep a well-behaved client at normal latency and its RSS bounded?
import { connect as netConnect } from 'node:net'
import t from 'tap'
import { WebSocket } from 'ws'
import { metrics, sample } from '../helpers/coretests-http.js'
import { openSession } from '../helpers/coretests-mqtt.js'
import { freePort, packet, rawConnect, remainingLength, type RawClient } from '../helpers/coretests-raw.js'
import { faultHubArgs } from '../helpers/faults-hub-args.js'
import { assertNormalLatency, rss, startProbe, watchRss } from '../helpers/faults-probe.js'
import { spawnHub } from '../helpers/process.js'
import { until } from '../helpers/wait.js'

const BUFFER_LIMIT = 256 * 1024
const SLOW_READERS = 6
const FLOOD_PAYLOAD = 64 * 1024
/** Bounded: enough 64 KiB messages to fill every slow reader's kernel buffers and then the limit many times over. */
const MAX_FLOOD_MESSAGES = 3000
const HEADER_FLOODS = 10
const MAX_ROUNDS = 12
const MIN_ROUND_TRIPS = 10

/** Send an HTTP upgrade with `n` extra headers on a raw socket; the status line of the answer and whether the hub closed the connection. */
function headerFlood (port: number, n: number): Promise<{ status: string, closed: boolean }> {
  const headers = Array.from({ length: n }, (_, i) => `X-Flood-${i}: ${'a'.repeat(8)}`)
  const request = [`GET /mqtt HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Protocol: mqtt', ...headers, '', ''].join('\r\n')
  return new Promise((resolve) => {
    let answer = ''
    const socket = netConnect({ host: '127.0.0.1', port }, () => { socket.write(request) })
    const timer = setTimeout(() => { socket.destroy(); resolve({ status: answer.split('\r\n')[0] ?? '', closed: false }) }, 10_000)
    socket.on('error', () => {
      // a reset after the answer is fine
    })
    socket.on('data', (d: Buffer) => { answer += d.toString('latin1') })
    socket.once('close', () => { clearTimeout(timer); resolve({ status: answer.split('\r\n')[0] ?? '', closed: true }) })
  })
}

/** Open a WebSocket MQTT connection, send one binary frame; the close code the hub ended it with. */
function wsSend (port: number, frame: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt')
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('the hub did not close the WebSocket within 10 s')) }, 10_000)
    ws.on('error', () => {
      // the close event carries the outcome
    })
    ws.once('open', () => { ws.send(frame) })
    ws.once('close', (code) => { clearTimeout(timer); resolve(code) })
  })
}

t.test('header floods, oversize CONNECT and frames, and slow readers under a flood: each refused or closed, the hub serving throughout', async (t) => {
  const wsPort = await freePort()
  const hub = spawnHub(t, faultHubArgs(`${t.testdir()}/data`, ['--ws-port', String(wsPort), '--set', `limits.maxClientBufferBytes=${BUFFER_LIMIT}`, '--set', 'limits.maxConnections=200']))
  const ports = await hub.ready()
  const pid = hub.child.pid as number
  t.equal(ports.ws, wsPort, 'the WebSocket listener is on')
  const probe = await startProbe(t, ports.mqtt)
  const baseline = await probe.sample(30)
  const rssBefore = rss(pid)
  const watch = watchRss(pid)
  const loop = probe.start()

  const publisher = await openSession(t, { port: ports.mqtt, clientId: 'flooder', clean: true })
  const payload = Buffer.alloc(FLOOD_PAYLOAD, 0x61)
  const slowClosed = async (): Promise<number> => sample((await metrics(ports.http as number)).samples, 'mango_slow_readers_total') ?? 0

  /** One round of every attack at once; the rounds go on until the well-behaved loop has run alongside. */
  const round = async (r: number): Promise<void> => {
    // subscribers that stop reading: raw sockets, CONNECT, SUBSCRIBE, SUBACK, then paused
    const slow: RawClient[] = []
    for (let i = 0; i < SLOW_READERS; i++) {
      const raw = await rawConnect(t, ports.mqtt)
      raw.socket.write(packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: `slow-${r}-${i}`, keepalive: 0 }))
      await raw.nextPacket()
      raw.socket.write(packet({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'salon/s1/flood/#', qos: 0 }] }))
      const suback = await raw.nextPacket()
      if (suback.cmd !== 'suback') throw new Error(`slow reader ${r}-${i}: expected SUBACK, got ${suback.cmd}`)
      raw.socket.pause()
      slow.push(raw)
    }
    const attacks = (async () => {
      const floods = await Promise.all(Array.from({ length: HEADER_FLOODS }, () => headerFlood(wsPort, 3000)))
      t.ok(floods.every((f) => /^HTTP\/1\.1 4\d\d /.test(f.status) && f.closed), `round ${r}: ${HEADER_FLOODS} upgrades with 3,000 headers each got an HTTP 4xx (${floods[0]?.status ?? ''}) and were closed (CVE-2024-37890)`)
      const oversizeConnect = Buffer.concat([Buffer.from([0x10]), remainingLength(300 * 1024 * 1024), Buffer.from([0, 4, 0x4d, 0x51])])
      t.ok([1000, 1006, 1009].includes(await wsSend(wsPort, oversizeConnect)), `round ${r}: a CONNECT declaring 300 MiB over WebSocket is closed at its header`)
      t.equal(await wsSend(wsPort, Buffer.alloc(2 * 1024 * 1024)), 1009, `round ${r}: a 2 MiB WebSocket frame is refused with close code 1009 (message too big)`)
    })()
    // the publisher floods the slow readers until the hub has closed every one of them (bounded)
    const target = (r + 1) * SLOW_READERS
    let sent = 0
    while (sent < MAX_FLOOD_MESSAGES && (sent % 20 !== 0 || await slowClosed() < target)) {
      await publisher.client.publishAsync('salon/s1/flood/x', payload, { qos: 0 })
      sent++
    }
    await attacks
    t.equal(await slowClosed(), target, `round ${r}: the hub closed all ${SLOW_READERS} slow readers past limits.maxClientBufferBytes (${sent} messages of 64 KiB sent)`)
    for (const raw of slow) raw.socket.resume()
    await until(() => slow.every((c) => c.socket.destroyed || c.socket.readableEnded), 10_000, 'the slow readers to see their connections end')
    t.pass(`round ${r}: each slow reader, reading again, finds its connection closed by the hub`)
  }
  for (let r = 0; r < MAX_ROUNDS && (r < 2 || loop.count() < MIN_ROUND_TRIPS); r++) await round(r)
  const during = await loop.stop()
  const rssMax = watch.stop()

  t.ok(publisher.client.connected, 'the flooding publisher itself stayed connected')
  assertNormalLatency(t, baseline, during, { minRoundTrips: MIN_ROUND_TRIPS })
  t.ok(rssMax <= rssBefore * 2 + 96 * 1024 * 1024, `RSS stayed bounded: ${(rssMax / 1048576).toFixed(0)} MB at most, from ${(rssBefore / 1048576).toFixed(0)} MB (${SLOW_READERS} × ${BUFFER_LIMIT / 1024} KiB may be buffered)`)
  t.equal(hub.child.exitCode, null, 'the hub is still running')
})
