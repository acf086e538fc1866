// In the default auth mode, are only registered devices of this salon admitted, each with its own client id, and does every failure carry the right CONNACK code?
import t, { type Test } from 'tap'
import { createAuthenticator } from '../../src/auth/create-authenticator.js'
import { LevelDeviceRegistry } from '../../src/auth/device-registry.js'
import { type Credentials } from '../../src/auth/types.js'
import { authSection, type AuthSection } from '../../src/config/sections/auth.js'
import { AuthError, ConfigError } from '../../src/errors.js'
import { openDevicesDb } from '../helpers/auth-level.js'

const config: AuthSection = {
  mode: 'devices',
  cacheTtlMs: authSection.properties.cacheTtlMs.default,
  jwt: { secret: null, publicKeyFile: null, jwksFile: null, algorithms: null, issuer: null, audience: null, clockToleranceSec: 30 },
  throttle: { freeFailures: 3, baseDelayMs: 500, maxDelayMs: 10000, windowMs: 900000, maxAddresses: 10000 }
}

function creds (clientId: string, username: string | undefined, password: string | undefined): Credentials {
  return { clientId, username, password: password === undefined ? undefined : Buffer.from(password), remoteAddress: '127.0.0.1' }
}

async function setup (t: Test) {
  const { devices } = await openDevicesDb(t)
  const registry = new LevelDeviceRegistry(devices)
  const auth = await createAuthenticator(config, { salonId: 'salon-a', registry })
  const pad = await registry.add({ salonId: 'salon-a', deviceType: 'mango-pad', deviceId: 'pad-001' })
  const app = await registry.add({ salonId: 'salon-a', deviceType: 'store-app', deviceId: 'till-1' })
  const stranger = await registry.add({ salonId: 'salon-b', deviceType: 'mango-pad', deviceId: 'pad-b' })
  return { registry, auth, pad, app, stranger }
}

async function refusedWith (t: Test, promise: Promise<unknown>, returnCode: 2 | 4 | 5, message: RegExp): Promise<void> {
  const err = await promise.then(() => null, (e: unknown) => e)
  t.type(err, AuthError, 'rejects with an AuthError')
  t.equal((err as AuthError).returnCode, returnCode, `CONNACK 0x0${returnCode}`)
  t.match((err as AuthError).message, message)
}

t.test('a registered device with its token and its own client id is admitted with its identity', async (t) => {
  const { auth, pad } = await setup(t)
  t.equal(auth.mode, 'devices')
  t.equal(auth.insecure, false)
  t.same(await auth.verify(creds('mango-pad-pad-001', 'pad-001', pad.token)), { salonId: 'salon-a', deviceId: 'pad-001', deviceType: 'mango-pad' })
  t.same(await auth.verify(creds('mango-pad-pad-001', 'pad-001', pad.token)), { salonId: 'salon-a', deviceId: 'pad-001', deviceType: 'mango-pad' }, 'again, from the verification cache')
})

t.test('a wrong token or an unknown device gets 0x04 (bad user name or password)', async (t) => {
  const { auth, pad, app } = await setup(t)
  await refusedWith(t, auth.verify(creds('mango-pad-pad-001', 'pad-001', app.token)), 4, /wrong token for device "pad-001"/)
  await refusedWith(t, auth.verify(creds('mango-pad-pad-009', 'pad-009', pad.token)), 4, /unknown device "pad-009"/)
  await refusedWith(t, auth.verify(creds('mango-pad-pad-001', 'pad-001', undefined)), 4, /required/)
  await refusedWith(t, auth.verify(creds('mango-pad-pad-001', undefined, undefined)), 4, /required/)
  await refusedWith(t, auth.verify(creds('mango-pad-pad-001', 'pad-001', 'x'.repeat(9000))), 4, /longer than/)
})

t.test('the message of a refusal never holds the token', async (t) => {
  const { auth, pad } = await setup(t)
  const wrong = pad.token.split('').reverse().join('')
  const err = await auth.verify(creds('mango-pad-pad-001', 'pad-001', wrong)).catch((e: unknown) => e as Error)
  t.notOk(String((err as Error).message).includes(wrong))
})

t.test('a revoked device gets 0x05 (not authorised) at once, and a rotated token replaces the old one', async (t) => {
  const { auth, registry, pad } = await setup(t)
  await auth.verify(creds('mango-pad-pad-001', 'pad-001', pad.token))
  await registry.revoke('pad-001')
  await refusedWith(t, auth.verify(creds('mango-pad-pad-001', 'pad-001', pad.token)), 5, /revoked/)
  const rotated = await registry.rotate('pad-001')
  await refusedWith(t, auth.verify(creds('mango-pad-pad-001', 'pad-001', pad.token)), 4, /wrong token/)
  t.match(await auth.verify(creds('mango-pad-pad-001', 'pad-001', rotated.token)), { deviceId: 'pad-001' })
})

t.test('a device of another salon gets 0x05 (not authorised)', async (t) => {
  const { auth, stranger } = await setup(t)
  await refusedWith(t, auth.verify(creds('mango-pad-pad-b', 'pad-b', stranger.token)), 5, /belongs to salon "salon-b", not to this hub's salon "salon-a"/)
})

t.test('a client id other than {deviceType}-{deviceId} gets 0x02 (identifier rejected), so no session can be taken over', async (t) => {
  const { auth, pad } = await setup(t)
  await refusedWith(t, auth.verify(creds('store-app-till-1', 'pad-001', pad.token)), 2, /client id "store-app-till-1" is not the client id of device "pad-001" \("mango-pad-pad-001"\)/)
  await refusedWith(t, auth.verify(creds('mango-pad-pad-002', 'pad-001', pad.token)), 2, /identifier|client id/)
  await refusedWith(t, auth.verify(creds('pad-001', 'pad-001', pad.token)), 2, /client id/)
})

t.test('salonId is required outside open mode', async (t) => {
  const { devices } = await openDevicesDb(t)
  await t.rejects(createAuthenticator(config, { salonId: null, registry: new LevelDeviceRegistry(devices) }), ConfigError)
  const err = await createAuthenticator(config, { salonId: 'a/b', registry: new LevelDeviceRegistry(devices) }).catch((e: unknown) => e)
  t.type(err, ConfigError)
  t.match((err as ConfigError).issues, [/^salonId must be 1 to 64 letters/])
})
