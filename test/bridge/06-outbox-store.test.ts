// Does the LevelDB outbox keep publish order, survive re-opening with its sequence and index intact, and delete exactly what was acknowledged, dropped or expired?
import t from 'tap'
import { Level } from 'level'
import { Outbox } from '../../src/bridge/outbox.js'
import { OutboundSink } from '../../src/bridge/outbound-sink.js'
import { DedupeWindow } from '../../src/bridge/dedupe-window.js'
import { decodeRecord, encodeRecord, messageKey, sequenceOf } from '../../src/bridge/outbox-record.js'
import { resolveTopicRules } from '../../src/bridge/topics.js'
import { type OutboxLimits } from '../../src/bridge/outbox-index.js'
import { type StoreOperation, type Sublevel } from '../../src/store/types.js'

const LIMITS: OutboxLimits = { maxMessages: 1000, maxBytes: 1 << 20, maxAgeMs: 60_000, whenFull: 'drop-oldest' }

async function open (dir: string): Promise<{ db: Level<string, Buffer>, sub: Sublevel, commit: (ops: StoreOperation[]) => Promise<void> }> {
  const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer' })
  await db.open()
  const sub = db.sublevel<string, Buffer>('bridge', { valueEncoding: 'buffer' }) as unknown as Sublevel
  const batch = db.batch as unknown as (ops: StoreOperation[]) => Promise<void>
  return { db, sub, commit: async (ops) => { await batch.call(db, ops) } }
}

function record (n: number, takenAt = Date.now()): Parameters<Outbox['take']>[0] {
  return { topic: `salon/a/t/${n}`, payload: Buffer.from(`payload ${n}`), qos: 1, retain: n % 2 === 0, takenAt, envelopeId: n % 3 === 0 ? null : `id-${n}` }
}

const failOnWrite = (err: unknown): void => { throw err }

t.test('records and keys', async (t) => {
  const r = { topic: 'salon/a/x', payload: Buffer.from([0, 1, 2]), qos: 1 as const, retain: true, takenAt: 1234.5, envelopeId: 'é-id' }
  t.same(decodeRecord(encodeRecord(r)), r, 'a record survives encoding (binary payload, UTF-8 id, retain, QoS)')
  t.same(decodeRecord(encodeRecord({ ...r, envelopeId: null, qos: 0, retain: false })), { ...r, envelopeId: null, qos: 0, retain: false }, 'without id, QoS 0')
  t.ok(messageKey(9) < messageKey(10) && messageKey(99999) < messageKey(100000), 'keys sort in sequence order')
  t.equal(sequenceOf(messageKey(42)), 42, 'the sequence is read back from the key')
  t.equal(sequenceOf('s:seq'), null, 'other keys are not messages')
  t.throws(() => decodeRecord(Buffer.from([9, 9])), RangeError, 'a foreign value is refused')
})

t.test('only committed messages are read, in order, in chunks', async (t) => {
  const { db, sub, commit } = await open(t.testdir())
  t.teardown(async () => { await db.close() })
  const outbox = await Outbox.open(sub, LIMITS, failOnWrite)
  for (let n = 1; n <= 12; n++) {
    const taken = outbox.take(record(n))
    t.equal(taken.seq, n, `message ${n} gets sequence ${n}`)
    if (n <= 10) {
      await commit(taken.ops)
      outbox.committed(n)
    }
  }
  const first = await outbox.read(0, 4)
  t.same([first.entries.map((e) => e.seq), first.upTo], [[1, 2, 3, 4], 4], 'a chunk of 4 from the head')
  const rest = await outbox.read(first.upTo, 100)
  t.same([rest.entries.map((e) => e.seq), rest.upTo], [[5, 6, 7, 8, 9, 10], 10], 'the rest up to the last committed one; 11 and 12 are not on disk yet')
  t.same(rest.entries[0]?.topic, 'salon/a/t/5', 'with their content')
  t.equal(outbox.stats(Date.now()).messages, 12, 'the index counts taken messages at once (the hub commits them before acknowledging)')
  outbox.abandon(11)
  outbox.abandon(12)
  t.equal(outbox.stats(Date.now()).messages, 10, 'a message whose batch failed is forgotten')
})

t.test('re-opening keeps the index and the sequence; acknowledged messages are gone', async (t) => {
  const dir = t.testdir()
  let { db, sub, commit } = await open(dir)
  let outbox = await Outbox.open(sub, LIMITS, failOnWrite)
  for (let n = 1; n <= 5; n++) {
    const taken = outbox.take(record(n, 1000 * n))
    await commit(taken.ops)
    outbox.committed(n)
  }
  t.ok(outbox.acknowledge(1), 'acknowledging a stored message removes it')
  t.notOk(outbox.acknowledge(1), 'acknowledging it again is a no-op')
  outbox.acknowledge(3)
  await outbox.flush()
  const before = outbox.stats(10_000)
  await db.close();
  ({ db, sub, commit } = await open(dir))
  outbox = await Outbox.open(sub, LIMITS, failOnWrite)
  t.same(outbox.stats(10_000), before, 'depth, bytes and oldest age are rebuilt from disk')
  t.same((await outbox.read(0, 100)).entries.map((e) => e.seq), [2, 4, 5], 'what was acknowledged is gone, the rest is in order')
  for (const seq of [2, 4, 5]) outbox.acknowledge(seq)
  await outbox.flush()
  await db.close();
  ({ db, sub, commit } = await open(dir))
  t.teardown(async () => { await db.close() })
  outbox = await Outbox.open(sub, LIMITS, failOnWrite)
  t.equal(outbox.stats(0).messages, 0, 'empty after everything was acknowledged')
  t.equal(outbox.sequence, 5, 'the sequence is not reset by an empty outbox: it is persisted')
  const next = outbox.take(record(6))
  t.equal(next.seq, 6, 'numbering continues after the last message ever taken')
})

t.test('bounds write their deletes into the same batch; expiry deletes from disk', async (t) => {
  const { db, sub, commit } = await open(t.testdir())
  t.teardown(async () => { await db.close() })
  const outbox = await Outbox.open(sub, { ...LIMITS, maxMessages: 2, maxAgeMs: 5000 }, failOnWrite)
  for (let n = 1; n <= 3; n++) {
    const taken = outbox.take(record(n, n * 1000))
    await commit(taken.ops)
    outbox.committed(n)
    if (n === 3) t.same(taken.drops.map((d) => [d.meta.seq, d.reason]), [[1, 'full']], 'the third message drops the first')
  }
  t.same((await outbox.read(0, 10)).entries.map((e) => e.seq), [2, 3], 'the dropped message is deleted in the same batch')
  const expired = await outbox.expire(7500)
  t.same(expired.map((m) => m.seq), [2], 'expire() drops what is at least maxAge old')
  t.same((await outbox.read(0, 10)).entries.map((e) => e.seq), [3], 'and deletes it from disk')
})

t.test('an unreadable stored value is deleted at open and counted', async (t) => {
  const { db, sub, commit } = await open(t.testdir())
  t.teardown(async () => { await db.close() })
  await commit([{ type: 'put', sublevel: sub, key: messageKey(7), value: Buffer.from('garbage') }])
  const outbox = await Outbox.open(sub, LIMITS, failOnWrite)
  t.equal(outbox.discardedAtOpen, 1, 'counted')
  t.equal(outbox.stats(0).messages, 0, 'not in the index')
  t.equal(outbox.sequence, 7, 'its key still advances the sequence, so numbering never goes back')
})

t.test('the sink forgets messages whose batch failed and dedupes by envelope id', async (t) => {
  const { db, sub, commit } = await open(t.testdir())
  t.teardown(async () => { await db.close() })
  const outbox = await Outbox.open(sub, LIMITS, failOnWrite)
  let sendable = 0
  let duplicates = 0
  const sink = new OutboundSink({
    salonId: 'a',
    rules: resolveTopicRules([{ filter: 'salon/{salonId}/#', direction: 'both', qos: 1 }], 'a'),
    outbox,
    sent: new DedupeWindow(100, 60_000),
    now: Date.now,
    duplicate: () => { duplicates++ },
    drops: () => {},
    sendable: () => { sendable++ }
  })
  t.same(sink.filters, ['salon/a/#'], 'the sink asks for the out filters')
  const m1 = { topic: 'salon/a/x', payload: Buffer.from('{"id":"one"}'), qos: 1 as const, retain: false }
  const m2 = { topic: 'salon/a/x', payload: Buffer.from('{"id":"two"}'), qos: 1 as const, retain: false }
  const ops1 = sink.take(m1)
  const ops2 = sink.take(m2)
  await commit(ops2)
  sink.committed(m2)
  t.equal(sendable, 1, 'a committed message is announced as sendable')
  t.same((await outbox.read(0, 10)).entries.map((e) => e.envelopeId), ['two'], 'only the committed message is read')
  t.equal(outbox.stats(0).messages, 1, 'the message taken before it, never committed, is forgotten (its batch failed)')
  t.ok(ops1.length > 0, 'the forgotten message had been given operations')
  t.same(sink.take({ ...m2 }), [], 'the same envelope id on the same topic is not taken twice')
  t.equal(duplicates, 1, 'and is counted as a duplicate')
  t.same(sink.take({ topic: 'salon/a/hub/status', payload: Buffer.from('{}'), qos: 1, retain: true }), [], 'the hub status topic is never forwarded')
  sink.committed({ ...m1 })
  t.equal(sendable, 1, 'committed() with an unknown message does nothing')
})
