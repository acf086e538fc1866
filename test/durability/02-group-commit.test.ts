// Does the group commit write every issued write, in order, in as few LevelDB batches as it can: writes of one turn together, and deletes after PUBACK (deferred) along with the next batch or on their own soon after?
import t, { type Test } from 'tap'
import { openStore } from '../../src/store/open-store.js'
import { DEFER_MS } from '../../src/store/group-commit.js'
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

t.test('a deferred range clears the keys it gathered, and only those, after the batch it goes with', async (t) => {
  const { writer, sub, put, del } = await open(t)
  await writer.write(['k1', 'k2', 'k3', 'k4', 'k5'].map((k) => put(k, 'queued')), true)
  const range = writer.deferRange(sub, 'k1', del('k1'))
  t.ok(range.extend('k2', del('k2')), 'extended while waiting')
  t.ok(range.extend('k3', del('k3')), 'extended again')
  writer.defer([del('k5')])
  await writer.write([put('k1', 'written before the clear')], true)
  t.notOk(range.extend('k4', del('k4')), 'no longer extended once handed to LevelDB')
  t.same(await sub.getMany(['k1', 'k2', 'k3', 'k4', 'k5']), [undefined, undefined, undefined, Buffer.from('queued'), undefined], 'k1 to k3 cleared (after the put of the same batch), k4 kept, k5 deleted')
})

t.test('a write with an invalid key fails its batch as a disk error would: refused, reported, memory undone', async (t) => {
  const { writer, sub, put } = await open(t)
  let undone = false
  const bad = { type: 'put', sublevel: sub, key: null as unknown as string, value: Buffer.from('x') } as StoreOperation
  await t.rejects(writer.write([put('k', 'v'), bad], true, () => { undone = true }), { code: 'MANGO_ERR_STORE_IO' })
  t.ok(undone, 'the undo ran')
  t.equal(writer.failing, true, 'the writer reports failing until recovery')
})
