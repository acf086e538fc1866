// In jwt mode, does the hub admit over MQTT only unexpired tokens of its salon signed with the configured key and algorithm, carrying every claim, and answer every other token with the right CONNACK code?
import { writeFileSync } from 'node:fs'
import t from 'tap'
import { SignJWT, UnsecuredJWT, exportSPKI, generateKeyPair, type JWTPayload } from 'jose'
import { OTHER_SALON, SALON, startWireHub } from '../helpers/auth-wire-hub.js'
import { FAILURE, connectWith, refused, suback } from '../helpers/auth-wire-mqtt.js'
import { topicOf } from '../helpers/auth-wire-matrix.js'

const SECRET = 'the-hub-secret-of-at-least-32-bytes-long'
const CLAIMS = { salon_id: SALON, device_id: 'pad-1', device_type: 'mango-pad' }
const PAD = { clientId: 'mango-pad-pad-1', username: 'pad-1' }

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

async function hs (claims: JWTPayload, options: { alg?: string, secret?: string, exp?: number | string | null } = {}): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt()
  const exp = options.exp === undefined ? '10m' : options.exp
  if (exp !== null) jwt.setExpirationTime(exp)
  return jwt.sign(bytes(options.secret ?? SECRET))
}

function without (claim: keyof typeof CLAIMS): JWTPayload {
  const copy: Record<string, unknown> = { ...CLAIMS }
  delete copy[claim]
  return copy
}

t.test('an HS256 hub: the right token is admitted and its identity is judged by the role table', async (t) => {
  const wire = await startWireHub(t, { config: { auth: { mode: 'jwt', jwt: { secret: SECRET } } } })
  const pad = await connectWith(t, wire.ports.mqtt, { ...PAD, password: await hs(CLAIMS) })
  t.same(await suback(pad.client, [topicOf('receiptsReady', SALON), topicOf('paymentsCompleted', SALON)]), [1, FAILURE], 'a mango-pad by its token: receipts granted, payments refused')
})

t.test('an HS256 hub refuses bad tokens with 0x04, a token of another salon with 0x05 and a client id of another device with 0x02', async (t) => {
  const wire = await startWireHub(t, { config: { auth: { mode: 'jwt', jwt: { secret: SECRET } } } })
  const good = await hs(CLAIMS)
  const [header, payload, signature] = good.split('.') as [string, string, string]
  const forged = Buffer.from(JSON.stringify({ ...CLAIMS, device_type: 'store-app' })).toString('base64url')
  const cases: Array<[string, string, number, { clientId?: string, username?: string }?]> = [
    ['an expired token', await hs(CLAIMS, { exp: Math.floor(Date.now() / 1000) - 3600 }), 4],
    ['a token signed with another secret', await hs(CLAIMS, { secret: 'another-secret-of-at-least-32-bytes-long' }), 4],
    ['a token whose claims were changed after signing', `${header}.${forged}.${signature}`, 4],
    ['an unsigned token (alg "none")', new UnsecuredJWT(CLAIMS).setIssuedAt().setExpirationTime('10m').encode(), 4],
    ['a token signed with HS512 (algorithm not pinned)', await hs(CLAIMS, { alg: 'HS512' }), 4],
    ['a token without salon_id', await hs(without('salon_id')), 4],
    ['a token without device_id', await hs(without('device_id')), 4],
    ['a token without device_type', await hs(without('device_type')), 4],
    ['a token without exp', await hs(CLAIMS, { exp: null }), 4],
    ['a token of an unknown device type', await hs({ ...CLAIMS, device_type: 'tv' }), 4],
    ['a token of another device than the username', good, 4, { username: 'pad-2', clientId: 'mango-pad-pad-2' }],
    ['not a JWT at all', 'not-a-jwt', 4],
    ['a token of another salon', await hs({ ...CLAIMS, salon_id: OTHER_SALON }), 5],
    ['a client id of another device', good, 2, { clientId: 'check-in-pad-1' }]
  ]
  for (const [what, token, code, override] of cases) {
    const attempt = await refused(t, wire.ports.mqtt, { ...PAD, ...override, password: token })
    t.equal(attempt.code, code, `${what}: CONNACK 0x0${code}`)
    await t.resolves(attempt.closed, `${what}: the socket is closed`)
  }
  t.notOk(wire.text().includes(signature), 'no token is in the log')
  const pad = await connectWith(t, wire.ports.mqtt, { ...PAD, password: good })
  t.ok(pad.client.connected, 'the right token is still admitted')
})

t.test('an ES256 hub refuses an HS256 token signed with its public key as the HMAC secret (algorithm confusion)', async (t) => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const pem = await exportSPKI(publicKey)
  const dir = t.testdir()
  const file = `${dir}/es256.pem`
  writeFileSync(file, pem)
  const wire = await startWireHub(t, { dataDir: `${dir}/data`, config: { auth: { mode: 'jwt', jwt: { publicKeyFile: file } } } })
  const confused = await hs(CLAIMS, { secret: pem })
  const attempt = await refused(t, wire.ports.mqtt, { ...PAD, password: confused })
  t.equal(attempt.code, 4, 'HS256 with the public key as secret: CONNACK 0x04')
  const none = await refused(t, wire.ports.mqtt, { ...PAD, password: new UnsecuredJWT(CLAIMS).setExpirationTime('10m').encode() })
  t.equal(none.code, 4, 'alg "none": CONNACK 0x04')
  const signed = await new SignJWT(CLAIMS).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('10m').sign(privateKey)
  const pad = await connectWith(t, wire.ports.mqtt, { ...PAD, password: signed })
  t.ok(pad.client.connected, 'an ES256 token signed with the private key is admitted')
})
