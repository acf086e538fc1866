// In open mode (development), is everyone admitted with an identity the ACL can still judge, and do acl.deny rules still refuse?
import t from 'tap'
import { DEV_SALON_ID, createAuthenticator, credentialsForLog, effectiveSalonId } from '../../src/auth/create-authenticator.js'
import { LevelDeviceRegistry } from '../../src/auth/device-registry.js'
import { ANONYMOUS_DEVICE_ID, OPEN_MODE_WARNING, openIdentity } from '../../src/auth/open-authenticator.js'
import { type Credentials } from '../../src/auth/types.js'
import { type AuthSection } from '../../src/config/sections/auth.js'
import { ConfigError } from '../../src/errors.js'
import { OWN, defaultAcl } from '../helpers/auth-fixtures.js'
import { openDevicesDb } from '../helpers/auth-level.js'

const config: AuthSection = {
  mode: 'open',
  cacheTtlMs: 0,
  jwt: { secret: null, publicKeyFile: null, jwksFile: null, algorithms: null, issuer: null, audience: null, clockToleranceSec: 30 },
  throttle: { freeFailures: 3, baseDelayMs: 500, maxDelayMs: 10000, windowMs: 900000, maxAddresses: 10000 }
}
const creds = (clientId: string, username?: string): Credentials => ({ clientId, username, password: undefined, remoteAddress: '127.0.0.1' })

t.test('open mode admits anyone and says it is insecure so the caller can warn loudly', async (t) => {
  const { devices } = await openDevicesDb(t)
  const auth = await createAuthenticator(config, { salonId: OWN, registry: new LevelDeviceRegistry(devices) })
  t.equal(auth.mode, 'open')
  t.equal(auth.insecure, true)
  t.match(OPEN_MODE_WARNING, /EVERY connection is admitted without a token/)
  t.same(await auth.verify(creds('mango-pad-pad-001')), { salonId: OWN, deviceType: 'mango-pad', deviceId: 'pad-001' })
  t.same(await auth.verify(creds('mqttjs_12ab', 'whoever')), { salonId: OWN, deviceType: 'store-app', deviceId: 'mqttjs_12ab' })
})

t.test('a typed client id gets that type\'s role; any other is a store app of the hub\'s salon', async (t) => {
  t.same(openIdentity('store-app-till-1', OWN), { salonId: OWN, deviceType: 'store-app', deviceId: 'till-1' })
  t.same(openIdentity('staff-tablet-tab-7', OWN), { salonId: OWN, deviceType: 'staff-tablet', deviceId: 'tab-7' })
  t.same(openIdentity('check-in-kiosk', OWN), { salonId: OWN, deviceType: 'check-in', deviceId: 'kiosk' })
  t.same(openIdentity('client-portal-web', OWN), { salonId: OWN, deviceType: 'client-portal', deviceId: 'web' })
  t.same(openIdentity('mango-pad-', OWN), { salonId: OWN, deviceType: 'store-app', deviceId: 'mango-pad-' })
  t.same(openIdentity('weird/client#id', OWN), { salonId: OWN, deviceType: 'store-app', deviceId: ANONYMOUS_DEVICE_ID })
  t.same(openIdentity('', OWN), { salonId: OWN, deviceType: 'store-app', deviceId: ANONYMOUS_DEVICE_ID })
})

t.test('open mode without salonId uses the dev salon; other modes require salonId', async (t) => {
  t.equal(effectiveSalonId('open', null), DEV_SALON_ID)
  t.equal(effectiveSalonId('open', 'salon-x'), 'salon-x')
  t.throws(() => effectiveSalonId('devices', null), new ConfigError(['salonId is required when auth.mode is "devices"']))
  t.throws(() => effectiveSalonId('jwt', null), new ConfigError(['salonId is required when auth.mode is "jwt"']))
})

t.test('acl.deny still refuses an open-mode connection: the denied filter gets SUBACK 0x80', async (t) => {
  const { devices } = await openDevicesDb(t)
  const auth = await createAuthenticator(config, { salonId: OWN, registry: new LevelDeviceRegistry(devices) })
  const acl = defaultAcl([{ filter: 'salon/{salonId}/payments/#', action: 'both' }])
  const anyone = await auth.verify(creds('mqttjs_dev'))
  t.match(acl.subscribe(anyone, `salon/${OWN}/payments/completed`), { ok: false, reason: /acl\.deny/ })
  t.equal(acl.subscribe(anyone, 'salon/+/+/#').ok, false, 'a wildcard overlapping the denied filter is refused too')
  t.equal(acl.publish(anyone, `salon/${OWN}/payments/completed`).ok, false)
  t.equal(acl.forward(anyone, `salon/${OWN}/payments/completed`), false)
  t.same(acl.subscribe(anyone, `salon/${OWN}/tickets/#`), { ok: true, filter: `salon/${OWN}/tickets/#` })
  const pad = await auth.verify(creds('mango-pad-p1'))
  t.equal(acl.publish(pad, `salon/${OWN}/tickets/created`).ok, false, 'a typed client id keeps its role limits')
})

t.test('the log fields of a CONNECT never hold the password', async (t) => {
  const fields = credentialsForLog({ clientId: 'mango-pad-p1', username: 'p1', password: Buffer.from('s3cret-token'), remoteAddress: '127.0.0.1' })
  t.same(fields, { clientId: 'mango-pad-p1', username: 'p1', remoteAddress: '127.0.0.1', passwordBytes: 12 })
  t.notOk(JSON.stringify(fields).includes('s3cret'))
})
