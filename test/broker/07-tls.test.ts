// Does the TLS listener serve MQTT to a client that trusts the hub's certificate, and refuse a client that does not, without harm to others?
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import t from 'tap'
import { startHub } from '../helpers/hub.js'
import { openSession } from '../helpers/coretests-mqtt.js'
import { selfSigned } from '../helpers/coretests-tls.js'
import { packet, rawConnect } from '../helpers/coretests-raw.js'

t.test('an mqtts client that trusts the self-signed certificate connects and exchanges messages', async (t) => {
  const dir = t.testdir()
  const pem = await selfSigned(dir)
  const { ports } = await startHub(t, { tls: { host: '127.0.0.1', port: 0, cert: pem.cert, key: pem.key } }, { dataDir: join(dir, 'data') })
  t.type(ports.tls, 'number', 'the TLS listener is on')
  const ca = readFileSync(pem.cert)
  const sub = await openSession(t, { protocol: 'mqtts', port: ports.tls as number, ca, rejectUnauthorized: true, clientId: 'store-app' })
  await sub.client.subscribeAsync('salon/s1/payments/completed', { qos: 2 })
  const pub = await openSession(t, { protocol: 'mqtts', port: ports.tls as number, ca, rejectUnauthorized: true, clientId: 'pad-1' })
  await pub.client.publishAsync('salon/s1/payments/completed', 'paid 42.50', { qos: 2 })
  t.same(await sub.next(1), [{ topic: 'salon/s1/payments/completed', payload: 'paid 42.50', qos: 2, retain: false }])

  const tcp = await openSession(t, { port: ports.mqtt, clientId: 'tcp-sub' })
  await tcp.client.subscribeAsync('salon/s1/pad/signature', { qos: 1 })
  await pub.client.publishAsync('salon/s1/pad/signature', 'sig', { qos: 1 })
  t.same((await tcp.next(1)).map((m) => m.payload), ['sig'], 'TLS and TCP clients share one broker')
})

t.test('a client that does not trust the certificate fails the handshake and the hub keeps serving TLS', async (t) => {
  const dir = t.testdir()
  const pem = await selfSigned(dir)
  const { ports } = await startHub(t, { tls: { host: '127.0.0.1', port: 0, cert: pem.cert, key: pem.key } }, { dataDir: join(dir, 'data') })
  const err = await new Promise<Error>((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: ports.tls as number, rejectUnauthorized: true })
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('no handshake result within 5 s')) }, 5000)
    socket.once('secureConnect', () => { clearTimeout(timer); socket.destroy(); reject(new Error('an untrusted certificate was accepted')) })
    socket.once('error', (e) => { clearTimeout(timer); resolve(e) })
  })
  t.match((err as NodeJS.ErrnoException).code, /SELF_SIGNED|UNABLE_TO_VERIFY/, `the client refused the certificate (${(err as NodeJS.ErrnoException).code ?? err.message})`)
  const ok = await openSession(t, { protocol: 'mqtts', port: ports.tls as number, ca: readFileSync(pem.cert), rejectUnauthorized: true, clientId: 'after' })
  t.equal(ok.connack.returnCode, 0, 'a trusting client connects afterwards')
})

t.test('a plain MQTT CONNECT sent to the TLS port is closed without an MQTT answer', async (t) => {
  const dir = t.testdir()
  const pem = await selfSigned(dir)
  const { ports } = await startHub(t, { tls: { host: '127.0.0.1', port: 0, cert: pem.cert, key: pem.key } }, { dataDir: join(dir, 'data') })
  const raw = await rawConnect(t, ports.tls as number)
  raw.socket.write(packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'plain', clean: true, keepalive: 60 }))
  await raw.closed(3000)
  t.equal(raw.packets.length, 0, 'no CONNACK: the bytes never reached the broker')
})

t.test('TLS connections count against limits.maxConnections with TCP ones', async (t) => {
  const dir = t.testdir()
  const pem = await selfSigned(dir)
  const { ports } = await startHub(t, { tls: { host: '127.0.0.1', port: 0, cert: pem.cert, key: pem.key }, limits: { maxConnections: 1 } }, { dataDir: join(dir, 'data') })
  await openSession(t, { port: ports.mqtt, clientId: 'tcp-only' })
  const over = await openSession(t, { protocol: 'mqtts', port: ports.tls as number, ca: readFileSync(pem.cert), rejectUnauthorized: true, clientId: 'tls-over' })
    .then(() => null, (e: Error & { code?: number }) => e)
  t.equal(over?.code, 3, 'the TLS connection over the limit gets CONNACK 0x03')
})
