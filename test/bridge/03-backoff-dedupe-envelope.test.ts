// Do reconnect delays grow and stay capped with jitter, does the dedupe window forget by count and by time, and is the envelope id read only from seed envelopes?
import t from 'tap'
import { backoffDelay, longBackoffDelay } from '../../src/bridge/backoff.js'
import { DedupeWindow, dedupeKey } from '../../src/bridge/dedupe-window.js'
import { envelopeId } from '../../src/bridge/envelope.js'

t.test('backoff: exponential, capped, jittered, never near zero', async (t) => {
  const policy = { initialMs: 100, maxMs: 1000 }
  t.same([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(policy, a, () => 0)), [50, 100, 200, 400, 500, 500], 'lowest: half the ceiling')
  t.same([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(policy, a, () => 0.999999)), [100, 200, 400, 800, 1000, 1000], 'highest: the ceiling, capped at maxMs')
  t.equal(backoffDelay(policy, 1e9, () => 0.5), 750, 'huge attempt counts do not overflow')
  t.equal(longBackoffDelay(policy, () => 0), 500, 'a refused login waits at least half the cap')
  t.equal(longBackoffDelay(policy, () => 0.999999), 1000, 'and at most the cap')
})

t.test('dedupe window: bounded by count and by time', async (t) => {
  const w = new DedupeWindow(3, 1000)
  for (const id of ['a', 'b', 'c']) w.add(id, 0)
  t.ok(w.has('a', 10), 'remembered')
  w.add('d', 20)
  t.notOk(w.has('a', 20), 'the oldest is forgotten past the size bound')
  t.equal(w.size, 3, 'never more than the size')
  t.ok(w.has('d', 1019), 'still known just before its time is up')
  t.notOk(w.has('d', 1020), 'forgotten when its time is up')
  t.equal(w.size, 0, 'expired keys are evicted')
  w.add('e', 0)
  w.add('f', 500)
  w.add('e', 600)
  t.ok(w.has('e', 1500), 'adding again restarts the time')
  t.notOk(w.has('f', 1500), 'others keep theirs')
  const off = new DedupeWindow(0, 1000)
  off.add('x', 0)
  t.notOk(off.has('x', 1), 'size 0 turns deduplication off')
  t.not(dedupeKey('salon/a/x', 'id'), dedupeKey('salon/a/y', 'id'), 'the same id on another topic is another message')
})

t.test('envelope id', async (t) => {
  t.equal(envelopeId(Buffer.from(JSON.stringify({ id: 'msg-1', payload: {} }))), 'msg-1', 'the id of a seed envelope')
  t.equal(envelopeId(Buffer.from('  \n{"id":"x"}')), 'x', 'leading whitespace is fine')
  t.equal(envelopeId(Buffer.from('not json')), null, 'not JSON: no id')
  t.equal(envelopeId(Buffer.from('{"id":')), null, 'broken JSON: no id')
  t.equal(envelopeId(Buffer.from('[{"id":"x"}]')), null, 'an array: no id')
  t.equal(envelopeId(Buffer.from('{"id":42}')), null, 'a non-string id: no id')
  t.equal(envelopeId(Buffer.from('{"id":""}')), null, 'an empty id: no id')
  t.equal(envelopeId(Buffer.from(JSON.stringify({ id: 'x'.repeat(256) }))), null, 'an id over 255 bytes: no id')
  t.equal(envelopeId(Buffer.alloc(0)), null, 'an empty payload: no id')
  t.equal(envelopeId(Buffer.from([0xff, 0xfe, 0x7b])), null, 'binary: no id')
})
