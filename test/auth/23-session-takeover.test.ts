// Can a device connect with another device's client id, take over its persistent session, read its queued messages or disconnect it?
import t from 'tap'
import { SALON, startWireHub, type WireHub } from '../helpers/auth-wire-hub.js'
import { connectDevice, credentials, envelope, envelopeId, refused, suback } from '../helpers/auth-wire-mqtt.js'
import { topicOf } from '../helpers/auth-wire-matrix.js'

const DEVICES = [
  { deviceType: 'mango-pad', deviceId: 'pad-1' },
  { deviceType: 'check-in', deviceId: 'kiosk-1' },
  { deviceType: 'store-app', deviceId: 'till-1' }
] as const

function session (wire: WireHub, clientId: string): { filters: string[], queued: number } {
  const sessions = wire.hub.store?.sessions
  return {
    filters: (sessions?.subscriptions.of(clientId) ?? []).map((s) => s.topic),
    queued: sessions?.queueDepths().find((q) => q.clientId === clientId)?.messages ?? 0
  }
}

t.test('another device using the pad\'s client id is refused with CONNACK 0x02; the pad\'s session and queue are untouched', async (t) => {
  const wire = await startWireHub(t, { devices: DEVICES })
  const pad = wire.device('pad-1')
  const kiosk = wire.device('kiosk-1')
  const p1 = await connectDevice(t, wire.ports.mqtt, pad, { clean: false })
  t.same(await suback(p1.client, [topicOf('receiptsReady', SALON)]), [1], 'the pad subscribes to its receipts')
  await p1.client.endAsync()
  const till = await connectDevice(t, wire.ports.mqtt, wire.device('till-1'))
  await till.client.publishAsync(topicOf('receiptsReady', SALON), envelope(wire.device('till-1'), 'receipt-1'), { qos: 1 })
  const before = session(wire, pad.clientId)
  t.same(before, { filters: [topicOf('receiptsReady', SALON)], queued: 1 }, 'the pad\'s offline session holds its subscription and one queued receipt')

  for (const clean of [false, true]) {
    // a clean-session CONNECT would discard the session [MQTT-3.1.2-6]; a persistent one would resume it
    const attempt = await refused(t, wire.ports.mqtt, { ...credentials(kiosk), clientId: pad.clientId, clean })
    t.equal(attempt.code, 2, `clean=${String(clean)}: CONNACK 0x02 identifier rejected (the client id is bound to the authenticated device)`)
    await t.resolves(attempt.closed, 'the hub closed the refused connection')
  }
  const guessed = await refused(t, wire.ports.mqtt, { clientId: pad.clientId, username: pad.deviceId, password: kiosk.token })
  t.equal(guessed.code, 4, 'the pad\'s username with another device\'s token: CONNACK 0x04')
  t.same(session(wire, pad.clientId), before, 'after the attempts the pad\'s session and queue are unchanged')

  const p2 = await connectDevice(t, wire.ports.mqtt, pad, { clean: false })
  t.equal(p2.sessionPresent, true, 'the pad resumes its session: session present [MQTT-3.2.2-2]')
  const got = await p2.inbox.until((m) => envelopeId(m) === 'receipt-1', 5000, 'the queued receipt')
  t.equal(got.topic, topicOf('receiptsReady', SALON), 'and gets its queued receipt')
})

t.test('a takeover attempt while the pad is online does not disconnect it [MQTT-3.1.4-2 applies only to an admitted client]', async (t) => {
  const wire = await startWireHub(t, { devices: DEVICES })
  const pad = wire.device('pad-1')
  const online = await connectDevice(t, wire.ports.mqtt, pad, { clean: false })
  t.same(await suback(online.client, [topicOf('receiptsReady', SALON)]), [1])
  const attempt = await refused(t, wire.ports.mqtt, { ...credentials(wire.device('kiosk-1')), clientId: pad.clientId, clean: false })
  t.equal(attempt.code, 2, 'CONNACK 0x02')
  await t.resolves(attempt.closed, 'the refused connection is closed')
  const till = await connectDevice(t, wire.ports.mqtt, wire.device('till-1'))
  await till.client.publishAsync(topicOf('receiptsReady', SALON), envelope(wire.device('till-1'), 'receipt-live'), { qos: 1 })
  await online.inbox.until((m) => envelopeId(m) === 'receipt-live', 5000, 'the live receipt')
  t.equal(online.closes(), 0, 'the pad\'s connection was never closed')
  t.ok(online.client.connected, 'the pad is still connected')
})
