// Is a device's will published when its connection fails (socket lost, keepalive expired), and only then?
import t from 'tap'
import { startHub } from '../helpers/hub.js'
import { until } from '../helpers/wait.js'
import { connectClient, openSession } from '../helpers/coretests-mqtt.js'
import { packet, rawConnect } from '../helpers/coretests-raw.js'

const STATUS = 'salon/s1/devices/pad-1/status'
const will = { topic: STATUS, payload: Buffer.from('offline'), qos: 1 as const, retain: false }

t.test('the will is published when the connection closes without DISCONNECT [MQTT-3.1.2-8]', async (t) => {
  const { ports } = await startHub(t)
  const watcher = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  await watcher.client.subscribeAsync(STATUS, { qos: 1 })
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1', will })
  pad.stream.destroy()
  const [m] = await watcher.next(1)
  t.same(m, { topic: STATUS, payload: 'offline', qos: 1, retain: false })
})

t.test('a will with the retain flag becomes the retained message of its topic [MQTT-3.1.2-17]', async (t) => {
  const { ports } = await startHub(t)
  const watcher = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  await watcher.client.subscribeAsync(STATUS, { qos: 1 })
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1', will: { ...will, retain: true } })
  pad.stream.destroy()
  // once a live subscriber has it, the will has been stored and published
  await watcher.next(1)
  const late = await openSession(t, { port: ports.mqtt, clientId: 'late-subscriber' })
  await late.client.subscribeAsync(STATUS, { qos: 1 })
  const [m] = await late.next(1)
  t.same(m, { topic: STATUS, payload: 'offline', qos: 1, retain: true }, 'a later subscriber gets the will as the retained message')
})

t.test('the will is discarded, not published, when the client sends DISCONNECT [MQTT-3.1.2-10]', async (t) => {
  const { hub, ports } = await startHub(t)
  const watcher = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  await watcher.client.subscribeAsync({ [STATUS]: { qos: 1 }, 'salon/s1/marker': { qos: 1 } })
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1', will })
  await pad.endAsync()
  // once the hub has unregistered the client, a will (if any) has already entered the publish
  // pipeline, which stores and delivers in order: the marker below cannot overtake it
  await until(() => !(hub.broker?.clients() ?? []).some((c) => c.clientId === 'pad-1'), 5000, 'the hub to drop pad-1')
  const probe = await connectClient(t, ports.mqtt, { clientId: 'probe' })
  await probe.publishAsync('salon/s1/marker', 'm', { qos: 1 })
  const got = await watcher.next(1)
  t.same(got.map((m) => m.topic), ['salon/s1/marker'], 'the first message is the marker, no will before it')
  t.notOk(watcher.messages.some((m) => m.topic === STATUS), 'no will was published')
})

t.test('a silent client is disconnected after 1.5 times its keepalive and its will is published [MQTT-3.1.2-24]', async (t) => {
  const { ports } = await startHub(t)
  const watcher = await openSession(t, { port: ports.mqtt, clientId: 'store-app' })
  await watcher.client.subscribeAsync(STATUS, { qos: 1 })
  const raw = await rawConnect(t, ports.mqtt)
  raw.socket.write(packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'pad-1', clean: true, keepalive: 1, will }))
  const connack = await raw.nextPacket()
  t.match(connack, { cmd: 'connack', returnCode: 0 }, 'the connection was accepted')
  // from here the socket sends nothing: no PINGREQ, as if the tablet lost its Wi-Fi
  const [m] = await watcher.next(1, 6000)
  t.same(m, { topic: STATUS, payload: 'offline', qos: 1, retain: false }, 'the will was published')
  const after = await raw.closed(6000)
  t.ok(after >= 1000, `the hub waited for the keepalive to lapse before closing (${after} ms)`)
  t.ok(after < 5000, `the hub closed the connection within a bounded time (${after} ms)`)
})

t.test('a client that sends PINGREQ within its keepalive stays connected', async (t) => {
  const { ports } = await startHub(t)
  const raw = await rawConnect(t, ports.mqtt)
  raw.socket.write(packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'pad-1', clean: true, keepalive: 1 }))
  t.match(await raw.nextPacket(), { cmd: 'connack', returnCode: 0 })
  // each PINGRESP is answered with the next PINGREQ after a pause well inside the keepalive;
  // five rounds span more than 1.5 times the keepalive, so a hub ignoring pings would have closed it
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 400))
    raw.socket.write(packet({ cmd: 'pingreq' }))
    t.match(await raw.nextPacket(2000), { cmd: 'pingresp' }, `PINGRESP ${i + 1}`)
  }
  t.ok(Date.now() - raw.connectedAt > 1500, 'the connection outlived 1.5 times its keepalive')
  t.equal(raw.socket.destroyed, false, 'the connection is still open')
})
