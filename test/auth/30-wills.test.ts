// Can a device use its will message to publish what it may not publish itself, when its connection drops or when the hub crashes and publishes the wills left over at the next start?
import t from 'tap'
import { SALON, counter, enrol, startWireHub, type Enrolled } from '../helpers/auth-wire-hub.js'
import { spawnDevicesHub } from '../helpers/auth-wire-cli.js'
import { connectDevice, envelope, envelopeId, suback } from '../helpers/auth-wire-mqtt.js'
import { topicOf } from '../helpers/auth-wire-matrix.js'
import { until } from '../helpers/wait.js'

const DEVICES = [
  { deviceType: 'mango-pad', deviceId: 'pad-1' },
  { deviceType: 'mango-pad', deviceId: 'pad-2' },
  { deviceType: 'store-app', deviceId: 'till-1' }
] as const

/** A will the pad may not publish (payments belong to the store app) and one it may (its signature topic). */
function wills (pad1: Enrolled, pad2: Enrolled): { forbidden: { topic: string, payload: Buffer, qos: 1, retain: false }, allowed: { topic: string, payload: Buffer, qos: 1, retain: false } } {
  return {
    forbidden: { topic: topicOf('paymentsCompleted', SALON), payload: envelope(pad1, 'forged-payment'), qos: 1, retain: false },
    allowed: { topic: topicOf('padSignature', SALON), payload: envelope(pad2, 'pad-2-gone'), qos: 1, retain: false }
  }
}

t.test('when a device\'s connection drops, a will it may not publish is dropped and counted; an allowed will is delivered', async (t) => {
  const wire = await startWireHub(t, { devices: DEVICES })
  const till = await connectDevice(t, wire.ports.mqtt, wire.device('till-1'))
  t.same(await suback(till.client, [`salon/${SALON}/#`]), [1])
  const { forbidden, allowed } = wills(wire.device('pad-1'), wire.device('pad-2'))
  const before = await counter(wire.ports, 'mango_publish_forbidden_total')
  const pad1 = await connectDevice(t, wire.ports.mqtt, wire.device('pad-1'), { will: forbidden })
  const pad2 = await connectDevice(t, wire.ports.mqtt, wire.device('pad-2'), { will: allowed })
  // no DISCONNECT: the hub must publish the will [MQTT-3.1.2-8]
  const pad1Id = wire.device('pad-1').clientId
  pad1.client.stream.destroy()
  // the hub decides on the will before it forgets the connection
  await until(() => !wire.broker().clients().some((c) => c.clientId === pad1Id), 5000, 'the hub to drop pad-1\'s connection')
  pad2.client.stream.destroy()
  await till.inbox.until((m) => envelopeId(m) === 'pad-2-gone', 5000, 'the allowed will')
  t.notOk(till.inbox.messages.some((m) => envelopeId(m) === 'forged-payment'), 'the forbidden will was not delivered')
  t.equal(await counter(wire.ports, 'mango_publish_forbidden_total') - before, 1, 'the forbidden will counted as a dropped publish')
  t.match(wire.lines.find((l) => l.clientId === pad1Id && l.topic === forbidden.topic), { level: 40, reason: /^acl: / }, 'logged at warn with client id, topic and reason')
})

t.test('after a crash, the wills left over are published at the next start only when the device may publish them', async (t) => {
  const dataDir = `${t.testdir()}/data`
  const devices = await enrol(dataDir, DEVICES)
  const device = (id: string): Enrolled => devices.get(id) as Enrolled
  const { forbidden, allowed } = wills(device('pad-1'), device('pad-2'))

  const first = spawnDevicesHub(t, dataDir, SALON)
  const ports = await first.ready()
  const till = await connectDevice(t, ports.mqtt, device('till-1'), { clean: false })
  t.same(await suback(till.client, [`salon/${SALON}/#`]), [1], 'the store app holds a persistent session on its salon')
  await till.client.endAsync()
  await connectDevice(t, ports.mqtt, device('pad-1'), { will: forbidden })
  await connectDevice(t, ports.mqtt, device('pad-2'), { will: allowed })
  first.kill('SIGKILL')
  t.equal(await first.exited(), 'SIGKILL', 'the hub was killed with both pads connected: their wills stay stored')

  const second = spawnDevicesHub(t, dataDir, SALON)
  const ports2 = await second.ready()
  const again = await connectDevice(t, ports2.mqtt, device('till-1'), { clean: false })
  await again.inbox.until((m) => envelopeId(m) === 'pad-2-gone', 5000, 'the allowed will, queued at start-up')
  await again.client.publishAsync(topicOf('ticketsUpdated', SALON), envelope(device('till-1'), 'live-marker'), { qos: 1 })
  await again.inbox.until((m) => envelopeId(m) === 'live-marker', 5000, 'the live marker after the queue')
  t.same(again.inbox.messages.map(envelopeId), ['pad-2-gone', 'live-marker'], 'the forbidden will was never published')
})
