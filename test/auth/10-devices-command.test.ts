// Does `mango-broker devices` add, list, revoke and rotate devices on the real registry, print a token only when issuing it, and answer usage mistakes with exit 2 and a precise message?
import t, { type Test } from 'tap'
import { LevelDeviceRegistry } from '../../src/auth/device-registry.js'
import { runDevicesCommand } from '../../src/cli/devices-command.js'
import { openDevicesDb } from '../helpers/auth-level.js'

async function setup (t: Test, salonId: string | null = null) {
  const { devices } = await openDevicesDb(t)
  const registry = new LevelDeviceRegistry(devices)
  const out: string[] = []
  const err: string[] = []
  const run = async (...args: string[]) => {
    out.length = 0
    err.length = 0
    return runDevicesCommand(args, { registry, out: (l) => out.push(l), err: (l) => err.push(l), salonId })
  }
  return { registry, out, err, run }
}

t.test('add prints the token once with a warning that it will not be shown again, and it verifies', async (t) => {
  const { registry, out, err, run } = await setup(t)
  t.equal(await run('add', '--salon', 'abc123', '--type', 'mango-pad', '--id', 'pad-001'), 0)
  t.same(err, [])
  t.equal(out[0], 'added mango-pad "pad-001" of salon "abc123"')
  const token = /^token: ([A-Za-z0-9_-]{43})$/.exec(out[1] ?? '')?.[1] ?? ''
  t.not(token, '', 'the token line')
  t.match(out[2], /will not be shown again.*username pad-001, client id mango-pad-pad-001/)
  t.equal((await registry.check('pad-001', token)).kind, 'match', 'the printed token is the device\'s token')
  t.equal(await run('list'), 0)
  t.notOk(out.join('\n').includes(token), 'list never prints the token')
})

t.test('list prints a table, or JSON with --json', async (t) => {
  const { out, run } = await setup(t)
  t.equal(await run('list'), 0)
  t.same(out, ['no devices'])
  await run('add', '--salon=abc123', '--type=store-app', '--id=till-1')
  await run('add', '--salon', 'abc123', '--type', 'check-in', '--id', 'kiosk')
  await run('revoke', '--id', 'kiosk')
  t.equal(await run('list'), 0)
  t.equal(out.length, 3)
  t.match(out[0], /^DEVICE\s+TYPE\s+SALON\s+CREATED\s+STATUS$/)
  t.match(out[1], /^kiosk\s+check-in\s+abc123\s+\S+\s+revoked \d{4}-/)
  t.match(out[2], /^till-1\s+store-app\s+abc123\s+\S+\s+active$/)
  t.equal(await run('list', '--json'), 0)
  const listed = JSON.parse(out[0] ?? '[]') as Array<{ deviceId: string, revokedAt: string | null }>
  t.same(listed.map((d) => [d.deviceId, d.revokedAt === null]), [['kiosk', false], ['till-1', true]])
})

t.test('revoke and rotate take effect on the registry; unknown devices exit 1', async (t) => {
  const { registry, out, err, run } = await setup(t)
  await run('add', '--salon', 'abc123', '--type', 'mango-pad', '--id', 'pad-001', '--json')
  const { token } = JSON.parse(out[0] ?? '{}') as { token: string }
  t.equal(await run('revoke', '--id', 'pad-001'), 0)
  t.same(out, ['revoked "pad-001": its token no longer works'])
  t.not((await registry.get('pad-001'))?.revokedAt, null)
  t.equal(await run('rotate', '--id', 'pad-001'), 0)
  const fresh = /^token: (\S+)$/.exec(out[1] ?? '')?.[1] ?? ''
  t.equal(out[0], 'new token for mango-pad "pad-001" of salon "abc123"')
  t.equal((await registry.check('pad-001', token)).kind, 'mismatch', 'the old token stopped working')
  t.equal((await registry.check('pad-001', fresh)).kind, 'match')
  t.equal(await run('revoke', '--id', 'nobody'), 1)
  t.same(err, ['unknown device "nobody"'])
  t.equal(await run('rotate', '--id', 'nobody'), 1)
  t.same(err, ['mango-broker devices: unknown device "nobody"'])
  t.equal(await run('add', '--salon', 'abc123', '--type', 'mango-pad', '--id', 'pad-001'), 1)
  t.match(err[0], /already exists/)
})

t.test('usage mistakes exit 2 with a precise message and the usage', async (t) => {
  const { out, err, run } = await setup(t)
  const cases: Array<[string[], RegExp]> = [
    [[], /a command is required/],
    [['remove', '--id', 'x'], /unknown command "remove"/],
    [['add', '--type', 'mango-pad', '--id', 'p1'], /--salon is required/],
    [['add', '--salon', 's1', '--id', 'p1'], /--type is required/],
    [['add', '--salon', 's1', '--type', 'toaster', '--id', 'p1'], /--type "toaster" must be one of store-app, check-in/],
    [['add', '--salon', 's1', '--type', 'mango-pad'], /--id is required/],
    [['add', '--salon', 's1', '--type', 'mango-pad', '--id', 'a/b'], /--id "a\/b" must be 1 to 64 letters/],
    [['add', '--salon', 's1', '--type', 'mango-pad', '--id'], /--id needs a value/],
    [['add', '--salon', '--type', 'mango-pad'], /--salon needs a value/],
    [['add', '--salon', 's1', '--salon', 's2'], /--salon is given twice/],
    [['list', '--all'], /unknown option "--all" for "devices list"/],
    [['list', 'extra'], /unexpected argument "extra"/],
    [['list', '--json=yes'], /--json takes no value/],
    [['revoke'], /--id is required/]
  ]
  for (const [args, message] of cases) {
    t.equal(await run(...args), 2, `devices ${args.join(' ')} exits 2`)
    t.match(err[0], message)
    t.match(err[1], /^Usage: mango-broker devices/)
    t.same(out, [], 'nothing on stdout')
  }
})

t.test('with the hub\'s salonId known, --salon defaults to it and another salon is refused', async (t) => {
  const { out, err, run } = await setup(t, 'abc123')
  t.equal(await run('add', '--type', 'mango-pad', '--id', 'pad-001'), 0)
  t.equal(out[0], 'added mango-pad "pad-001" of salon "abc123"')
  t.equal(await run('add', '--salon', 'other', '--type', 'mango-pad', '--id', 'pad-002'), 2)
  t.match(err[0], /--salon "other" is not this hub's salonId "abc123": the hub would refuse the device/)
})
