// Does the built `mango-broker devices` command enrol, revoke and rotate devices on a data directory so that the hub started on it admits exactly the devices it printed tokens for, and refuse to touch the data directory of a running hub?
import t from 'tap'
import { type Enrolled } from '../helpers/auth-wire-hub.js'
import { printedToken, runBin, spawnDevicesHub } from '../helpers/auth-wire-cli.js'
import { connectDevice, refused } from '../helpers/auth-wire-mqtt.js'

const SALON = 's1'

function enrolled (deviceType: Enrolled['deviceType'], deviceId: string, token: string): Enrolled {
  return { salonId: SALON, deviceType, deviceId, clientId: `${deviceType}-${deviceId}`, token }
}

t.test('devices add/list/revoke/rotate on a data dir, then the hub on it', async (t) => {
  const dataDir = `${t.testdir()}/data`
  const dir = ['--data-dir', dataDir]

  const add = await runBin(['devices', 'add', '--salon', SALON, '--type', 'mango-pad', '--id', 'pad-1', ...dir])
  t.equal(add.code, 0, `devices add exits 0 (${add.stderr.trim()})`)
  t.match(add.stdout, /This token will not be shown again/, 'the token is printed once, with a warning')
  const padToken = printedToken(add)
  t.match(padToken, /^[A-Za-z0-9_-]{43}$/, '32 random bytes in base64url')

  const addJson = await runBin(['devices', 'add', '--type', 'store-app', '--id', 'till-1', '--json', '--salon-id', SALON, ...dir])
  t.equal(addJson.code, 0, 'devices add --json exits 0; --salon defaults to the hub\'s salonId')
  const tillFirst = (JSON.parse(addJson.stdout) as { token: string, device: { salonId: string } })
  t.equal(tillFirst.device.salonId, SALON)

  const foreign = await runBin(['devices', 'add', '--salon', 's2', '--type', 'mango-pad', '--id', 'pad-9', '--salon-id', SALON, ...dir])
  t.equal(foreign.code, 2, 'a device of another salon than the hub\'s is refused as a usage error')
  t.match(foreign.stderr, /is not this hub's salonId "s1"/)

  const list = await runBin(['devices', 'list', ...dir])
  t.equal(list.code, 0, 'devices list exits 0')
  t.match(list.stdout, /pad-1\s+mango-pad\s+s1\s+\S+\s+active/)
  t.match(list.stdout, /till-1\s+store-app\s+s1\s+\S+\s+active/)
  t.notOk(list.stdout.includes(padToken) || list.stdout.includes(tillFirst.token), 'list never shows a token')

  const hub = spawnDevicesHub(t, dataDir, SALON)
  const ports = await hub.ready()
  const pad = await connectDevice(t, ports.mqtt, enrolled('mango-pad', 'pad-1', padToken))
  t.ok(pad.client.connected, 'the hub admits the device with the printed token (CONNACK 0)')
  const till = await connectDevice(t, ports.mqtt, enrolled('store-app', 'till-1', tillFirst.token))
  t.ok(till.client.connected, 'and the one added with --json')
  const wrong = await refused(t, ports.mqtt, { clientId: 'mango-pad-pad-1', username: 'pad-1', password: tillFirst.token })
  t.equal(wrong.code, 4, 'a wrong token: CONNACK 0x04')

  const locked = await runBin(['devices', 'list', ...dir])
  t.equal(locked.code, 1, 'devices list on a running hub\'s data dir exits 1')
  t.match(locked.stderr, /locked by another running hub/, 'it says the data directory is locked')
  t.match(locked.stderr, /POST http:\/\/<hub>:\d+\/devices/, 'and points to the HTTP enrollment route')
  t.match(locked.stderr, /admin\.token/, 'with the admin token')

  pad.client.end(true)
  till.client.end(true)
  hub.kill('SIGTERM')
  t.equal(await hub.exited(), 0, 'the hub stops cleanly')

  const revoke = await runBin(['devices', 'revoke', '--id', 'pad-1', ...dir])
  t.equal(revoke.code, 0, 'devices revoke exits 0')
  const rotate = await runBin(['devices', 'rotate', '--id', 'till-1', ...dir])
  t.equal(rotate.code, 0, 'devices rotate exits 0')
  const tillToken = printedToken(rotate)
  t.not(tillToken, tillFirst.token, 'a new token')

  const again = spawnDevicesHub(t, dataDir, SALON)
  const ports2 = await again.ready()
  const revoked = await refused(t, ports2.mqtt, { clientId: 'mango-pad-pad-1', username: 'pad-1', password: padToken })
  t.equal(revoked.code, 5, 'the revoked device: CONNACK 0x05')
  const old = await refused(t, ports2.mqtt, { clientId: 'store-app-till-1', username: 'till-1', password: tillFirst.token })
  t.equal(old.code, 4, 'the rotated device\'s old token: CONNACK 0x04')
  const fresh = await connectDevice(t, ports2.mqtt, enrolled('store-app', 'till-1', tillToken))
  t.ok(fresh.client.connected, 'its new token is admitted')
  const logged = again.lines.map((l) => JSON.stringify(l)).join('\n') + hub.lines.map((l) => JSON.stringify(l)).join('\n')
  t.notOk([padToken, tillFirst.token, tillToken].some((token) => logged.includes(token)), 'no token in the hub\'s log')
})
