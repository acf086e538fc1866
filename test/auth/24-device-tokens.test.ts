// In devices mode, does the hub answer every bad, revoked, rotated or foreign credential with the right CONNACK code and close the socket, close a revoked device's live connection, and never log a token?
import t from 'tap'
import { LevelDeviceRegistry } from '../../src/auth/device-registry.js'
import { OTHER_SALON, SALON, counter, startWireHub } from '../helpers/auth-wire-hub.js'
import { connectDevice, credentials, refused } from '../helpers/auth-wire-mqtt.js'
import { waitFor } from '../helpers/wait.js'
import { type EventEmitter } from 'node:events'

const ADMIN = 'admin-token-for-the-auth-wire-tests'

t.test('missing, unknown and wrong credentials get CONNACK 0x04 and the socket is closed; no token is ever logged', async (t) => {
  const wire = await startWireHub(t, { devices: [{ deviceType: 'mango-pad', deviceId: 'pad-1' }, { deviceType: 'check-in', deviceId: 'kiosk-1' }] })
  const pad = wire.device('pad-1')
  const cases: Array<[string, Parameters<typeof refused>[2]]> = [
    ['no username and no password', { clientId: pad.clientId }],
    ['no password', { clientId: pad.clientId, username: pad.deviceId }],
    ['an unknown device', { clientId: 'mango-pad-pad-404', username: 'pad-404', password: pad.token }],
    ['a wrong token', { clientId: pad.clientId, username: pad.deviceId, password: `${pad.token.slice(0, -2)}xx` }],
    ['another device\'s token', { clientId: pad.clientId, username: pad.deviceId, password: wire.device('kiosk-1').token }]
  ]
  for (const [what, options] of cases) {
    const attempt = await refused(t, wire.ports.mqtt, options)
    t.equal(attempt.code, 4, `${what}: CONNACK 0x04 bad user name or password [MQTT-3.2.2-5]`)
    await t.resolves(attempt.closed, `${what}: the socket is closed [MQTT-3.2.2-5]`)
  }
  t.equal(await counter(wire.ports, 'mango_auth_failures_total'), cases.length, 'every failure counted')
  const failure = wire.lines.find((l) => l.msg === 'connection refused: authentication failed' && l.username === pad.deviceId)
  t.match(failure, { clientId: pad.clientId, remoteAddress: /127\.0\.0\.1/, returnCode: 4 }, 'logged with client id, username, address and code')
  const ok = await connectDevice(t, wire.ports.mqtt, pad)
  t.ok(ok.client.connected, 'the right token is admitted (CONNACK 0)')
  for (const device of wire.devices.values()) t.notOk(wire.text().includes(device.token), `the token of ${device.deviceId} is not in the log`)
})

t.test('revoking a device over HTTP closes its live connection at once; its right token then gets CONNACK 0x05', async (t) => {
  const wire = await startWireHub(t, { devices: [{ deviceType: 'store-app', deviceId: 'till-1' }], config: { admin: { token: ADMIN } } })
  const http = `http://127.0.0.1:${wire.ports.http ?? 0}`
  const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }
  const res = await fetch(`${http}/devices`, { method: 'POST', headers, body: JSON.stringify({ deviceType: 'staff-tablet', deviceId: 'tab-1' }), signal: AbortSignal.timeout(5000) })
  t.equal(res.status, 201, 'enrolled over HTTP while the hub runs')
  const enrolled = await res.json() as { token: string, username: string, clientId: string }
  const tab = await connectDevice(t, wire.ports.mqtt, { salonId: SALON, deviceType: 'staff-tablet', deviceId: 'tab-1', clientId: enrolled.clientId, token: enrolled.token })
  const till = await connectDevice(t, wire.ports.mqtt, wire.device('till-1'))
  const closed = waitFor(tab.client as unknown as EventEmitter, 'close', 5000, 'the revoked device\'s connection to close')
  const revoked = await fetch(`${http}/devices/tab-1`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` }, signal: AbortSignal.timeout(5000) })
  t.equal(revoked.status, 200, 'revoked over HTTP')
  await t.resolves(closed, 'the live connection of the revoked device is closed')
  t.ok(till.client.connected, 'other devices stay connected')
  const again = await refused(t, wire.ports.mqtt, { clientId: enrolled.clientId, username: enrolled.username, password: enrolled.token })
  t.equal(again.code, 5, 'the revoked device with its right token: CONNACK 0x05 not authorized')
  await t.resolves(again.closed, 'and the socket is closed')
  t.notOk(wire.text().includes(enrolled.token), 'the token is not in the log')
})

t.test('after a rotation the old token gets CONNACK 0x04 and the new one is admitted', async (t) => {
  const wire = await startWireHub(t, { devices: [{ deviceType: 'mango-pad', deviceId: 'pad-1' }] })
  const pad = wire.device('pad-1')
  const first = await connectDevice(t, wire.ports.mqtt, pad)
  await first.client.endAsync()
  // as the devices command would, on the hub's own LevelDB
  const store = wire.hub.store
  if (store === null) throw new Error('the hub has no store')
  const { token } = await new LevelDeviceRegistry(store.sublevel('devices')).rotate('pad-1')
  const old = await refused(t, wire.ports.mqtt, credentials(pad))
  t.equal(old.code, 4, 'the old token (still remembered by the hub\'s verification cache) is refused with 0x04')
  const fresh = await connectDevice(t, wire.ports.mqtt, { ...pad, token })
  t.ok(fresh.client.connected, 'the new token is admitted')
})

t.test('a registered device of another salon gets CONNACK 0x05', async (t) => {
  const wire = await startWireHub(t, { devices: [{ deviceType: 'mango-pad', deviceId: 'pad-b', salonId: OTHER_SALON }] })
  const attempt = await refused(t, wire.ports.mqtt, credentials(wire.device('pad-b')))
  t.equal(attempt.code, 5, 'CONNACK 0x05: the hub serves salon s1 only')
  await t.resolves(attempt.closed, 'the socket is closed')
})

t.test('a hub in devices mode without a salonId admits nobody (CONNACK 0x05) and says why at start', async (t) => {
  const wire = await startWireHub(t, { devices: [{ deviceType: 'store-app', deviceId: 'till-1' }], config: { salonId: null } })
  const attempt = await refused(t, wire.ports.mqtt, credentials(wire.device('till-1')))
  t.equal(attempt.code, 5, 'a registered device with its right token: CONNACK 0x05')
  t.match(wire.lines.find((l) => l.level === 40 && typeof l.msg === 'string' && l.msg.startsWith('salonId is not set')), { authMode: 'devices' }, 'a warning at start names the missing salonId')
})
