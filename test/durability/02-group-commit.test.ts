// Does the group commit write every issued write, in order, in as few LevelDB batches as it can: writes of one turn together, and deletes after PUBACK (deferred) along with the next batch or on their own soon after?
import t, { type Test } from 'tap'
import { openStore } from '../../src/store/open-store.js'
import { DEFER_MS, RANGE_MIN } from '../../src/store/group-commit.js'
import { type StoreOperation } from '../../src/store/types.js'
import { until } from '../helpers/wait.js'

async function open (t: Test) {
  const store = await openStore({ dataDir: `${t.testdir()}/data`, fsync: true, queueLimits: { maxMessages: 10, maxBytes: 1 << 20, policy: 'drop-oldest' } })
  t.teardown(async () => { await store.close() })
  const sub = store.sublevel('group-commit-test')
  const put = (key: string, value: string): StoreOperation => ({ type: 'put', sublevel: sub, key, value: Buffer.from(value) })
  const del = (key: string): StoreOperation => ({ type: 'del', sublevel: sub, key })
  return { store, writer: store.writer, sub, put, del }
}

t.test('the writes of one turn go to LevelDB as one batch, applied in the order they were issued', async (t) => {
  const { writer, sub, put, del } = await open(t)
  const before = writer.batches
  await Promise.all([writer.write([put('a', '1')], true), writer.write([put('b', '1'), del('a')], false), writer.write([put('a', '2')], true)])
  t.equal(writer.batches - before, 1, 'one batch')
  t.equal((await sub.get('a'))?.toString(), '2', 'the last write of a key wins')
  t.equal((await sub.get('b'))?.toString(), '1')
})

t.test('a deferred delete goes with the next batch', async (t) => {
  const { writer, sub, put, del } = await open(t)
  await writer.write([put('acked', 'x')], true)
  const before = writer.batches
  writer.defer([del('acked')])
  // two turns of the event loop: a write scheduled at once would have gone to LevelDB by now
  await new Promise(setImmediate)
  await new Promise(setImmediate)
  await writer.write([put('next', 'y')], true)
  t.equal(writer.batches - before, 1, 'the delete rode along with the next write')
  t.equal(await sub.get('acked'), undefined, 'and is in LevelDB')
})

t.test('a deferred delete with nothing to ride along is written on its own, after DEFER_MS', async (t) => {
  const { writer, sub, put, del } = await open(t)
  await writer.write([put('acked', 'x')], true)
  const before = writer.batches
  const issued = performance.now()
  writer.defer([del('acked'), del('acked-too')])
  await until(() => writer.batches > before, 2000, 'the deferred batch')
  t.equal(writer.batches - before, 1, 'one batch of its own')
  t.ok(performance.now() - issued >= DEFER_MS - 1, 'after waiting for company')
  t.equal(await sub.get('acked'), undefined, 'the key is gone')
})

t.test('flush writes deferred deletes at once', async (t) => {
  const { writer, sub, put, del } = await open(t)
  await writer.write([put('acked', 'x')], true)
  writer.defer([del('acked')])
  await writer.flush()
  t.equal(await sub.get('acked'), undefined, 'in LevelDB by the time flush resolved')
})

t.test('a deferred range of RANGE_MIN keys or more is cleared as a range after its batch; a shorter one goes into the batch as deletes', async (t) => {
  const { writer, sub, put, del } = await open(t)
  const key = (i: number): string => `k${String(i).padStart(3, '0')}`
  const count = RANGE_MIN + 4
  await writer.write(Array.from({ length: count }, (_, i) => put(key(i), 'queued')), true)
  const long = writer.deferRange(sub, key(0), del(key(0)))
  for (let i = 1; i < RANGE_MIN; i++) t.ok(long.extend(key(i), del(key(i))), `extended to ${key(i)} while waiting`)
  const short = writer.deferRange(sub, key(RANGE_MIN + 1), del(key(RANGE_MIN + 1)))
  t.ok(short.extend(key(RANGE_MIN + 2), del(key(RANGE_MIN + 2))))
  writer.defer([del(key(count - 1))])
  // written after both ranges were issued (a caller never does this: it shows where each applies)
  await writer.write([put(key(0), 'put in the same batch'), put(key(RANGE_MIN + 1), 'put in the same batch')], true)
  t.notOk(long.extend(key(RANGE_MIN), del(key(RANGE_MIN))), 'no longer extended once handed to LevelDB')
  const values = await sub.getMany(Array.from({ length: count }, (_, i) => key(i)))
  t.same(values.slice(0, RANGE_MIN), Array.from({ length: RANGE_MIN }, () => undefined), 'the long range is cleared, after the batch (its first key\'s later put is gone too)')
  t.same(values[RANGE_MIN], Buffer.from('queued'), 'the key after it is kept')
  t.same(values[RANGE_MIN + 1], Buffer.from('put in the same batch'), 'the short range went into the batch as deletes, in issue order, before the later put')
  t.same(values[RANGE_MIN + 2], undefined, 'its other key is deleted')
  t.same(values[count - 1], undefined, 'a single deferred delete too')
})

t.test('a write with an invalid key fails its batch as a disk error would: refused, reported, memory undone', async (t) => {
  const { writer, sub, put } = await open(t)
  let undone = false
  const bad = { type: 'put', sublevel: sub, key: null as unknown as string, value: Buffer.from('x') } as StoreOperation
  await t.rejects(writer.write([put('k', 'v'), bad], true, () => { undone = true }), { code: 'MANGO_ERR_STORE_IO' })
  t.ok(undone, 'the undo ran')
  t.equal(writer.failing, true, 'the writer reports failing until recovery')
})
