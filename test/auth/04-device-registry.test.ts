// Does the LevelDB device registry issue tokens once, store only salted scrypt hashes, and make revoke and rotate take effect at once?
import t from 'tap'
import { LevelDeviceRegistry } from '../../src/auth/device-registry.js'
import { DeviceRegistryError } from '../../src/auth/registry-errors.js'
import { type Sublevel } from '../../src/store/types.js'
import { openDevicesDb } from '../helpers/auth-level.js'

const pad = { salonId: 'salon-a', deviceType: 'mango-pad', deviceId: 'pad-001' } as const

t.test('add returns a 256-bit base64url token once and a record without it', async (t) => {
  const { devices } = await openDevicesDb(t)
  const registry = new LevelDeviceRegistry(devices)
  const { device, token } = await registry.add(pad)
  t.match(token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes in base64url')
  t.equal(Buffer.from(token, 'base64url').length, 32)
  t.same({ ...device, createdAt: 'x' }, { ...pad, createdAt: 'x', revokedAt: null })
  t.ok(!Number.isNaN(Date.parse(device.createdAt)), 'createdAt is a date')
  t.same(await registry.get('pad-001'), device)
  t.same(await registry.list(), [device])
  t.notOk(JSON.stringify(await registry.list()).includes(token), 'list never shows the token')
  const second = await registry.add({ ...pad, deviceId: 'pad-002' })
  t.not(second.token, token, 'every device gets its own token')
})

t.test('the store holds a salted scrypt hash, never the token', async (t) => {
  const { devices } = await openDevicesDb(t)
  const registry = new LevelDeviceRegistry(devices)
  const a = await registry.add(pad)
  const b = await registry.add({ ...pad, deviceId: 'pad-002' })
  const raw = await devices.get('pad-001')
  t.ok(raw !== undefined)
  const text = raw?.toString('utf8') ?? ''
  t.notOk(text.includes(a.token), 'the token text is not stored')
  t.notOk((raw ?? Buffer.alloc(0)).includes(Buffer.from(a.token, 'base64url')), 'the token bytes are not stored')
  const hash = (JSON.parse(text) as { hash: string }).hash
  t.match(hash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
  const other = (JSON.parse((await devices.get('pad-002'))?.toString('utf8') ?? '{}') as { hash: string }).hash
  t.not(hash.split('$')[4], other.split('$')[4], 'each hash has its own salt')
  t.not(a.token, b.token)
})

t.test('check matches the right token only', async (t) => {
  const { devices } = await openDevicesDb(t)
  const registry = new LevelDeviceRegistry(devices, { cacheTtlMs: 0 })
  const { token } = await registry.add(pad)
  t.match(await registry.check('pad-001', token), { kind: 'match', device: { deviceId: 'pad-001' } })
  t.match(await registry.check('pad-001', token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')), { kind: 'mismatch' })
  t.same(await registry.check('pad-999', token), { kind: 'unknown' })
  t.same(await registry.check('../etc', token), { kind: 'unknown' }, 'a malformed id is unknown')
})

t.test('add refuses an existing device and malformed ids or types', async (t) => {
  const { devices } = await openDevicesDb(t)
  const registry = new LevelDeviceRegistry(devices)
  await registry.add(pad)
  await t.rejects(registry.add(pad), { code: 'MANGO_ERR_DEVICE_EXISTS', message: /already exists/ })
  await t.rejects(registry.add({ ...pad, deviceId: 'pad/1' }), { code: 'MANGO_ERR_DEVICE_INVALID', message: /device id "pad\/1"/ })
  await t.rejects(registry.add({ ...pad, deviceId: 'p2', salonId: 'salon+x' }), { code: 'MANGO_ERR_DEVICE_INVALID', message: /salon id "salon\+x"/ })
  await t.rejects(registry.add({ ...pad, deviceId: 'p3', deviceType: 'toaster' as 'mango-pad' }), DeviceRegistryError)
  t.equal((await registry.list()).length, 1)
})

t.test('revoke marks the device revoked at once, even with a verification cached', async (t) => {
  const { devices } = await openDevicesDb(t)
  const registry = new LevelDeviceRegistry(devices, { cacheTtlMs: 60_000 })
  const { token } = await registry.add(pad)
  t.match(await registry.check('pad-001', token), { kind: 'match', device: { revokedAt: null } })
  const invalidated: string[] = []
  registry.onInvalidated((id) => invalidated.push(id))
  t.equal(await registry.revoke('pad-001'), true)
  t.same(invalidated, ['pad-001'], 'listeners are told so live sessions can be closed')
  const after = await registry.check('pad-001', token)
  t.equal(after.kind, 'match')
  t.ok(after.kind !== 'unknown' && after.device.revokedAt !== null, 'the check reports the revocation')
  const revokedAt = (await registry.get('pad-001'))?.revokedAt
  t.equal(await registry.revoke('pad-001'), true)
  t.equal((await registry.get('pad-001'))?.revokedAt, revokedAt, 'revoking again keeps the first time')
  t.equal(await registry.revoke('nobody'), false, 'unknown device')
})

t.test('rotate issues a new token, kills the old one and enables a revoked device again', async (t) => {
  const { devices } = await openDevicesDb(t)
  const registry = new LevelDeviceRegistry(devices, { cacheTtlMs: 60_000 })
  const first = await registry.add(pad)
  t.equal((await registry.check('pad-001', first.token)).kind, 'match', 'first token verified and cached')
  await registry.revoke('pad-001')
  const second = await registry.rotate('pad-001')
  t.not(second.token, first.token)
  t.equal(second.device.revokedAt, null)
  t.equal((await registry.check('pad-001', first.token)).kind, 'mismatch', 'the old token fails although it was cached')
  t.equal((await registry.check('pad-001', second.token)).kind, 'match')
  await t.rejects(registry.rotate('nobody'), { code: 'MANGO_ERR_DEVICE_UNKNOWN' })
})

t.test('a cached verification expires and is recomputed', async (t) => {
  const { devices } = await openDevicesDb(t)
  let clock = 1_000_000
  const registry = new LevelDeviceRegistry(devices, { cacheTtlMs: 1000, now: () => clock })
  const { token } = await registry.add(pad)
  t.equal((await registry.check('pad-001', token)).kind, 'match')
  clock += 2000
  t.equal((await registry.check('pad-001', token)).kind, 'match')
  t.equal((await registry.check('pad-001', 'wrong')).kind, 'mismatch', 'a wrong token never matches the cache')
})

t.test('records survive closing and reopening the database', async (t) => {
  const dir = t.testdir()
  const { Level } = await import('level')
  const open = async () => {
    const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer' })
    await db.open()
    return db
  }
  let db = await open()
  const registryOf = (d: typeof db) => new LevelDeviceRegistry(d.sublevel<string, Buffer>('devices', { valueEncoding: 'buffer' }) as unknown as Sublevel)
  const { token } = await registryOf(db).add(pad)
  await registryOf(db).revoke('pad-001')
  await db.close()
  db = await open()
  t.teardown(() => db.close())
  const check = await registryOf(db).check('pad-001', token)
  t.ok(check.kind === 'match' && check.device.revokedAt !== null, 'the token and the revocation persisted')
})
