// Does MQTT over WebSocket work, and does a hostile upgrade request (CVE-2024-37890) get an HTTP error instead of crashing the hub?
import { connect as netConnect } from 'node:net'
import t, { type Test } from 'tap'
import { startHub } from '../helpers/hub.js'
import { connectClient, openSession } from '../helpers/coretests-mqtt.js'
import { freePort } from '../helpers/coretests-raw.js'

async function wsHub (t: Test, limits: Record<string, unknown> = {}): Promise<{ mqtt: number, ws: number }> {
  const port = await freePort()
  const { ports } = await startHub(t, { ws: { host: '127.0.0.1', port }, limits })
  t.equal(ports.ws, port, 'the WebSocket listener is bound on the configured port')
  return { mqtt: ports.mqtt, ws: port }
}

/** Send raw bytes to a port and resolve everything the server answers until it closes the socket (bounded). */
function exchange (port: number, request: string, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port })
    let answer = ''
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no complete answer within ${ms} ms: ${answer.slice(0, 200)}`)) }, ms)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => { answer += chunk })
    socket.on('error', () => {
      // a reset after the answer is fine: the answer is what is asserted
    })
    socket.on('close', () => { clearTimeout(timer); resolve(answer) })
    socket.on('connect', () => { socket.end(request) })
  })
}

function upgradeRequest (port: number, extraHeaders: string[], path = '/mqtt'): string {
  return [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    ...extraHeaders,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Protocol: mqtt',
    '',
    ''
  ].join('\r\n')
}

t.test('an mqtt.js client over ws://127.0.0.1:port/mqtt exchanges messages with a TCP client', async (t) => {
  const ports = await wsHub(t)
  const overWs = await openSession(t, { url: `ws://127.0.0.1:${ports.ws}/mqtt`, clientId: 'staff-tablet' })
  await overWs.client.subscribeAsync('salon/s1/turns/assigned', { qos: 1 })
  const tcp = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  await tcp.client.subscribeAsync('salon/s1/checkin/client', { qos: 2 })

  const pub = await connectClient(t, ports.mqtt, { clientId: 'pub' })
  await pub.publishAsync('salon/s1/turns/assigned', 'turn to Mai', { qos: 1 })
  t.same(await overWs.next(1), [{ topic: 'salon/s1/turns/assigned', payload: 'turn to Mai', qos: 1, retain: false }], 'TCP to WebSocket')

  await overWs.client.publishAsync('salon/s1/checkin/client', 'walk-in', { qos: 2 })
  t.same(await tcp.next(1), [{ topic: 'salon/s1/checkin/client', payload: 'walk-in', qos: 2, retain: false }], 'WebSocket to TCP at QoS 2')
})

t.test('a WebSocket message larger than limits.maxPacketSize closes only that connection', async (t) => {
  const ports = await wsHub(t, { maxPacketSize: 2048 })
  const watcher = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  await watcher.client.subscribeAsync('salon/s1/#', { qos: 1 })
  const big = await openSession(t, { url: `ws://127.0.0.1:${ports.ws}/mqtt`, clientId: 'pad-1' })
  big.client.publish('salon/s1/pad/signature', Buffer.alloc(16 * 1024, 0x41), { qos: 1 })
  await big.closed(5000)
  t.pass('the sender was disconnected')
  const small = await openSession(t, { url: `ws://127.0.0.1:${ports.ws}/mqtt`, clientId: 'pad-2' })
  await small.client.publishAsync('salon/s1/pad/signature', 'small', { qos: 1 })
  t.same((await watcher.next(1)).map((m) => m.payload), ['small'], 'the hub still serves WebSocket clients and never delivered the oversize message')
})

t.test('an upgrade request with thousands of headers gets HTTP 431 and the hub keeps serving (CVE-2024-37890)', async (t) => {
  const ports = await wsHub(t)
  const headers = Array.from({ length: 3000 }, (_, i) => `X-Flood-${i}: ${'a'.repeat(8)}`)
  const answer = await exchange(ports.ws, upgradeRequest(ports.ws, headers))
  t.match(answer, /^HTTP\/1\.1 431 /, 'Request Header Fields Too Large')
  const after = await openSession(t, { url: `ws://127.0.0.1:${ports.ws}/mqtt`, clientId: 'after-flood' })
  t.equal(after.connack.returnCode, 0, 'a WebSocket client connects afterwards')
})

t.test('an upgrade whose WebSocket headers come after the 2,000th header gets an HTTP error and the hub keeps serving (CVE-2024-37890)', async (t) => {
  const ports = await wsHub(t)
  // 2,100 short headers stay under the 16 KiB header limit; Node 20 keeps only the first 2,000,
  // so the Sec-WebSocket-* headers that follow are lost (ws < 8.17.1 crashed the process here)
  // and ws answers 400; Node 24 refuses the header count itself with 431
  const headers = Array.from({ length: 2100 }, () => 'a: b')
  const answer = await exchange(ports.ws, upgradeRequest(ports.ws, headers))
  t.match(answer, /^HTTP\/1\.1 (400|431) /, `an HTTP client error (${answer.split('\r\n')[0] ?? ''})`)
  const after = await openSession(t, { url: `ws://127.0.0.1:${ports.ws}/mqtt`, clientId: 'after-crafted' })
  t.equal(after.connack.returnCode, 0, 'a WebSocket client connects afterwards')
})

t.test('a plain HTTP request to the WebSocket port gets 426 and an upgrade on another path is refused', async (t) => {
  const ports = await wsHub(t)
  const plain = await fetch(`http://127.0.0.1:${ports.ws}/mqtt`, { signal: AbortSignal.timeout(5000) })
  t.equal(plain.status, 426, 'Upgrade Required')
  await plain.text()
  const wrongPath = await exchange(ports.ws, upgradeRequest(ports.ws, [], '/other'))
  t.match(wrongPath, /^HTTP\/1\.1 400 /, 'an upgrade on a path other than ws.path is refused')
})

t.test('WebSocket connections count against limits.maxConnections with TCP ones', async (t) => {
  const ports = await wsHub(t, { maxConnections: 1 })
  await openSession(t, { port: ports.mqtt, clientId: 'tcp-only' })
  const over = await openSession(t, { url: `ws://127.0.0.1:${ports.ws}/mqtt`, clientId: 'ws-over' }).catch((err: Error & { code?: number }) => err)
  t.equal((over as Error & { code?: number }).code, 3, 'the WebSocket connection over the limit gets CONNACK 0x03')
})
