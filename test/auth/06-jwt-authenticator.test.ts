// In jwt mode, are only tokens signed with the configured key and pinned algorithm, with every required claim, unexpired, of this salon and of this username admitted?
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose'
import { createAuthenticator, type HubAuthenticator } from '../../src/auth/create-authenticator.js'
import { LevelDeviceRegistry } from '../../src/auth/device-registry.js'
import { type Credentials } from '../../src/auth/types.js'
import { type AuthSection, type JwtSection } from '../../src/config/sections/auth.js'
import { AuthError, ConfigError } from '../../src/errors.js'
import { openDevicesDb, testDir } from '../helpers/auth-level.js'

const SECRET = 'a-shared-secret-of-at-least-32-bytes!!'
const CLAIMS = { salon_id: 'salon-a', device_id: 'pad-001', device_type: 'mango-pad' }
const NO_JWT: JwtSection = { secret: null, publicKeyFile: null, jwksFile: null, algorithms: null, issuer: null, audience: null, clockToleranceSec: 30 }

async function authWith (t: Test, jwt: Partial<JwtSection>): Promise<HubAuthenticator> {
  const { devices } = await openDevicesDb(t)
  const config: AuthSection = {
    mode: 'jwt',
    cacheTtlMs: 0,
    jwt: { ...NO_JWT, ...jwt },
    throttle: { freeFailures: 3, baseDelayMs: 500, maxDelayMs: 10000, windowMs: 900000, maxAddresses: 10000 }
  }
  return createAuthenticator(config, { salonId: 'salon-a', registry: new LevelDeviceRegistry(devices) })
}

function sign (claims: JWTPayload, alg: string, key: CryptoKey | Uint8Array, exp: string | number | null = '10m'): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).setIssuedAt()
  if (exp !== null) jwt.setExpirationTime(exp)
  return jwt.sign(key)
}

function creds (token: string, username = 'pad-001', clientId = 'mango-pad-pad-001'): Credentials {
  return { clientId, username, password: Buffer.from(token), remoteAddress: '127.0.0.1' }
}

async function refusedWith (t: Test, promise: Promise<unknown>, returnCode: 2 | 4 | 5, message: RegExp): Promise<void> {
  const err = await promise.then(() => null, (e: unknown) => e)
  t.type(err, AuthError)
  t.equal((err as AuthError | null)?.returnCode, returnCode, `CONNACK 0x0${returnCode}`)
  t.match((err as Error | null)?.message, message)
}

async function es256 (t: Test) {
  const pair = await generateKeyPair('ES256', { extractable: true })
  const file = join(testDir(t), 'es256.pem')
  writeFileSync(file, await exportSPKI(pair.publicKey))
  return { ...pair, file }
}

t.test('an ES256 token of this salon, device and client id is admitted', async (t) => {
  const { privateKey, file } = await es256(t)
  const auth = await authWith(t, { publicKeyFile: file })
  t.equal(auth.mode, 'jwt')
  t.same(await auth.verify(creds(await sign(CLAIMS, 'ES256', privateKey))), { salonId: 'salon-a', deviceId: 'pad-001', deviceType: 'mango-pad' })
})

t.test('a token signed by another key gets 0x04', async (t) => {
  const { file } = await es256(t)
  const other = await generateKeyPair('ES256')
  const auth = await authWith(t, { publicKeyFile: file })
  await refusedWith(t, auth.verify(creds(await sign(CLAIMS, 'ES256', other.privateKey))), 4, /signature verification failed/)
})

t.test('an unsigned token (alg none) gets 0x04', async (t) => {
  const { file } = await es256(t)
  const auth = await authWith(t, { publicKeyFile: file })
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const exp = Math.floor(Date.now() / 1000) + 600
  const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...CLAIMS, exp })}.`
  await refusedWith(t, auth.verify(creds(unsigned)), 4, /invalid token/)
  const secretAuth = await authWith(t, { secret: SECRET })
  await refusedWith(t, secretAuth.verify(creds(unsigned)), 4, /invalid token/)
})

t.test('a token of another algorithm than the pinned one gets 0x04, including HS256 signed with the public key', async (t) => {
  const { publicKey, file } = await es256(t)
  const auth = await authWith(t, { publicKeyFile: file })
  const rsa = await generateKeyPair('RS256')
  await refusedWith(t, auth.verify(creds(await sign(CLAIMS, 'RS256', rsa.privateKey))), 4, /ERR_JOSE_ALG_NOT_ALLOWED/)
  const confused = await sign(CLAIMS, 'HS256', new TextEncoder().encode(await exportSPKI(publicKey)))
  await refusedWith(t, auth.verify(creds(confused)), 4, /ERR_JOSE_ALG_NOT_ALLOWED/)
})

t.test('a token missing a required claim gets 0x04 naming it', async (t) => {
  const auth = await authWith(t, { secret: SECRET })
  const key = new TextEncoder().encode(SECRET)
  for (const claim of ['salon_id', 'device_id', 'device_type'] as const) {
    const { [claim]: _dropped, ...rest } = CLAIMS
    await refusedWith(t, auth.verify(creds(await sign(rest, 'HS256', key))), 4, new RegExp(`"${claim}"`))
  }
  await refusedWith(t, auth.verify(creds(await sign(CLAIMS, 'HS256', key, null))), 4, /"exp"/)
  await refusedWith(t, auth.verify(creds(await sign({ ...CLAIMS, device_type: 'toaster' }, 'HS256', key))), 4, /device_type "toaster" is not a device type/)
  await refusedWith(t, auth.verify(creds(await sign({ ...CLAIMS, salon_id: 'a/#' }, 'HS256', key))), 4, /salon_id "a\/#" is not a valid id/)
})

t.test('an expired token gets 0x04; one within the clock tolerance is admitted', async (t) => {
  const auth = await authWith(t, { secret: SECRET, clockToleranceSec: 30 })
  const key = new TextEncoder().encode(SECRET)
  const now = Math.floor(Date.now() / 1000)
  await refusedWith(t, auth.verify(creds(await sign(CLAIMS, 'HS256', key, now - 120))), 4, /ERR_JWT_EXPIRED/)
  t.match(await auth.verify(creds(await sign(CLAIMS, 'HS256', key, now - 5))), { deviceId: 'pad-001' })
})

t.test('a token of another salon gets 0x05, another username 0x04, another client id 0x02', async (t) => {
  const auth = await authWith(t, { secret: SECRET })
  const key = new TextEncoder().encode(SECRET)
  await refusedWith(t, auth.verify(creds(await sign({ ...CLAIMS, salon_id: 'salon-b' }, 'HS256', key))), 5, /salon "salon-b"/)
  await refusedWith(t, auth.verify(creds(await sign(CLAIMS, 'HS256', key), 'pad-002', 'mango-pad-pad-002')), 4, /token is for device "pad-001", not for username "pad-002"/)
  await refusedWith(t, auth.verify(creds(await sign(CLAIMS, 'HS256', key), 'pad-001', 'store-app-till-1')), 2, /client id "store-app-till-1"/)
})

t.test('issuer and audience are checked when configured', async (t) => {
  const auth = await authWith(t, { secret: SECRET, issuer: 'https://cloud.example', audience: 'mango-hub' })
  const key = new TextEncoder().encode(SECRET)
  t.match(await auth.verify(creds(await sign({ ...CLAIMS, iss: 'https://cloud.example', aud: 'mango-hub' }, 'HS256', key))), { deviceId: 'pad-001' })
  await refusedWith(t, auth.verify(creds(await sign({ ...CLAIMS, iss: 'https://evil.example', aud: 'mango-hub' }, 'HS256', key))), 4, /"iss"/)
  await refusedWith(t, auth.verify(creds(await sign({ ...CLAIMS, iss: 'https://cloud.example' }, 'HS256', key))), 4, /"aud"/)
})

t.test('a local JWKS file verifies ES256 and RS256 tokens by kid, offline', async (t) => {
  const ec = await generateKeyPair('ES256', { extractable: true })
  const rsa = await generateKeyPair('RS256', { extractable: true })
  const file = join(testDir(t), 'jwks.json')
  writeFileSync(file, JSON.stringify({ keys: [{ ...await exportJWK(ec.publicKey), kid: 'ec1', alg: 'ES256' }, { ...await exportJWK(rsa.publicKey), kid: 'rsa1', alg: 'RS256' }] }))
  const auth = await authWith(t, { jwksFile: file })
  const signKid = (alg: string, kid: string, key: CryptoKey) => new SignJWT(CLAIMS).setProtectedHeader({ alg, kid }).setExpirationTime('5m').sign(key)
  t.match(await auth.verify(creds(await signKid('ES256', 'ec1', ec.privateKey))), { deviceId: 'pad-001' })
  t.match(await auth.verify(creds(await signKid('RS256', 'rsa1', rsa.privateKey))), { deviceId: 'pad-001' })
  const stranger = await generateKeyPair('ES256')
  await refusedWith(t, auth.verify(creds(await signKid('ES256', 'ec9', stranger.privateKey))), 4, /ERR_JWKS_NO_MATCHING_KEY/)
})

t.test('unusable JWT settings are refused at start-up with the key named', async (t) => {
  const { file } = await es256(t)
  const issues = async (jwt: Partial<JwtSection>): Promise<readonly string[]> => {
    const err = await authWith(t, jwt).then(() => null, (e: unknown) => e)
    t.type(err, ConfigError)
    return (err as ConfigError | null)?.issues ?? []
  }
  t.match(await issues({}), [/exactly one of secret, publicKeyFile, jwksFile .* \(received none\)/])
  t.match(await issues({ secret: SECRET, publicKeyFile: file }), [/received secret, publicKeyFile/])
  t.match(await issues({ secret: 'short' }), [/auth\.jwt\.secret must be at least 32 bytes/])
  t.match(await issues({ secret: SECRET, algorithms: ['ES256'] }), [/auth\.jwt\.algorithms must be among HS256/])
  t.match(await issues({ publicKeyFile: file, algorithms: ['HS256'] }), [/auth\.jwt\.algorithms must be among ES256/])
  t.match(await issues({ publicKeyFile: join(testDir(t), 'missing.pem') }), [/auth\.jwt\.publicKeyFile .* cannot be read: ENOENT/])
  const garbage = join(testDir(t), 'garbage.pem')
  writeFileSync(garbage, 'not a key')
  t.match(await issues({ publicKeyFile: garbage }), [/is not a PEM public key/])
  const privateJwks = join(testDir(t), 'private.json')
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  writeFileSync(privateJwks, JSON.stringify({ keys: [await exportJWK(privateKey)] }))
  t.match(await issues({ jwksFile: privateJwks }), [/public keys only/])
})
