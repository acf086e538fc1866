// Does the outbox index enforce its message, byte and age bounds with the configured full policy, and keep depth, bytes and oldest age exact?
import t from 'tap'
import { OutboxIndex, type OutboxLimits } from '../../src/bridge/outbox-index.js'

const limits = (over: Partial<OutboxLimits> = {}): OutboxLimits => ({ maxMessages: 3, maxBytes: 1000, maxAgeMs: 10_000, whenFull: 'drop-oldest', ...over })

function filled (n: number, bytes = 100, takenAt = (i: number) => i): OutboxIndex {
  const index = new OutboxIndex()
  for (let i = 1; i <= n; i++) index.add({ seq: i, bytes, takenAt: takenAt(i) })
  return index
}

t.test('depth, bytes and oldest', async (t) => {
  const index = filled(3)
  t.same([index.depth, index.bytes, index.oldest()?.seq], [3, 300, 1], 'counted on add')
  index.remove(2)
  t.same([index.depth, index.bytes, index.oldest()?.seq], [2, 200, 1], 'removing from the middle keeps the oldest')
  index.remove(1)
  t.same([index.depth, index.bytes, index.oldest()?.seq], [1, 100, 3], 'removing the oldest moves to the next live one')
  t.equal(index.remove(1), undefined, 'removing twice is a no-op')
  index.remove(3)
  t.same([index.depth, index.bytes, index.oldest()], [0, 0, undefined], 'empty')
  t.throws(() => { filled(2).add({ seq: 2, bytes: 1, takenAt: 0 }) }, RangeError, 'sequence numbers must grow')
})

t.test('many acknowledgements keep removal cheap and the order right', async (t) => {
  const index = filled(5000)
  for (let i = 1; i <= 4990; i++) index.remove(i)
  t.same([index.depth, index.oldest()?.seq], [10, 4991], 'the live tail is intact after compaction')
})

t.test('drop-oldest makes room by dropping the oldest', async (t) => {
  const index = filled(3)
  const plan = index.plan(100, 50, limits())
  t.same(plan.drops.map((d) => [d.meta.seq, d.reason]), [[1, 'full']], 'one message over the count bound drops the oldest')
  t.equal(plan.refused, null, 'and the new one is stored')
  t.same(index.plan(700, 50, limits({ maxMessages: 10 })).drops.map((d) => d.meta.seq), [], 'the byte bound: 300 + 700 = 1000 fits, nothing dropped')
  t.same(index.plan(800, 50, limits({ maxMessages: 10 })).drops.map((d) => d.meta.seq), [1], 'the byte bound: 300 + 800 > 1000 drops the oldest (200 + 800 fits)')
  t.same(index.plan(1000, 50, limits({ maxMessages: 10 })).drops.map((d) => d.meta.seq), [1, 2, 3], 'a message as big as the bound drops everything before it')
  t.equal(index.depth, 3, 'planning changes nothing')
})

t.test('refuse-new keeps the backlog', async (t) => {
  const plan = filled(3).plan(100, 50, limits({ whenFull: 'refuse-new' }))
  t.same([plan.drops.length, plan.refused], [0, 'full'], 'the new message is refused, nothing dropped')
  t.same(filled(2).plan(100, 50, limits({ whenFull: 'refuse-new' })).refused, null, 'with room, it is stored')
})

t.test('age bound: expired messages always go first', async (t) => {
  const index = filled(3, 100, (i) => i * 1000)
  const plan = index.plan(100, 12_000, limits({ whenFull: 'refuse-new' }))
  t.same(plan.drops.map((d) => [d.meta.seq, d.reason]), [[1, 'expired'], [2, 'expired']], 'messages at least maxAge old are dropped as expired')
  t.equal(plan.refused, null, 'which makes room even under refuse-new')
  t.same(index.expired(12_000, 10_000, 10).map((m) => m.seq), [1, 2], 'expired() lists them oldest first')
  t.same(index.expired(12_000, 10_000, 1).map((m) => m.seq), [1], 'bounded by its limit')
})

t.test('a message bigger than the byte bound is refused under either policy', async (t) => {
  for (const whenFull of ['drop-oldest', 'refuse-new'] as const) {
    const plan = filled(3).plan(1001, 50, limits({ whenFull }))
    t.same([plan.drops.length, plan.refused], [0, 'too-large'], `${whenFull}: refused as too large, nothing dropped for it`)
  }
})
