// Does the envelope check accept the seed's messages and refuse malformed, spoofed and oversize ones with a reason that never holds the payload?
import t, { type Test } from 'tap'
import { checkEnvelope, isIsoTimestamp } from '../../src/envelope/check.js'
import { createEnvelopeChecker } from '../../src/envelope/checker.js'
import { createMessage, encodeMessage } from '../../src/envelope/message.js'
import { topics } from '../../src/envelope/topics.js'
import { envelopeSection } from '../../src/config/sections/envelope.js'
import { ConfigError } from '../../src/errors.js'
import { type DeviceIdentity } from '../../src/auth/types.js'

const pad: DeviceIdentity = { salonId: 'abc123', deviceId: 'pad-001', deviceType: 'mango-pad' }
const limits = { maxBytes: 4096 }
const SECRET = 'data:image/png;base64,SECRETSIGNATURE'

/** The seed's "Signature Captured" example. */
function seedExample (): Record<string, unknown> {
  return {
    id: 'msg-uuid-456',
    timestamp: '2025-01-04T10:30:00.000Z',
    source: { deviceId: 'pad-001', deviceType: 'mango-pad', salonId: 'abc123' },
    payload: { ticketId: 'ticket-uuid-789', signatureData: SECRET, clientId: 'client-uuid-012' },
    version: 1
  }
}
const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value))

function refused (t: Test, payload: Buffer, reason: RegExp, retain = false): void {
  const verdict = checkEnvelope(pad, payload, retain, limits)
  t.match(verdict, { ok: false, reason }, reason.source)
  if (!verdict.ok) t.notMatch(verdict.reason, /SECRET/, 'the reason never holds the payload')
}

t.test('the seed\'s example message and one built by createMessage are accepted', async (t) => {
  t.same(checkEnvelope(pad, bytes(seedExample()), false, limits), { ok: true })
  const built = encodeMessage(createMessage(pad, { ticketId: 't1' }))
  t.same(checkEnvelope(pad, built, false, limits), { ok: true })
  t.same(checkEnvelope(pad, bytes({ ...seedExample(), payload: null, extra: 'later format' }), false, limits), { ok: true }, 'null payload and extra fields are accepted')
})

t.test('a source naming another device, type or salon is refused as spoofing', async (t) => {
  const spoof = (source: Record<string, unknown>) => bytes({ ...seedExample(), source: { deviceId: 'pad-001', deviceType: 'mango-pad', salonId: 'abc123', ...source } })
  refused(t, spoof({ deviceId: 'pad-002' }), /^source\.deviceId "pad-002" does not match the authenticated device "pad-001"$/)
  refused(t, spoof({ deviceType: 'store-app' }), /^source\.deviceType "store-app" does not match the authenticated device "pad-001" \(mango-pad\)$/)
  refused(t, spoof({ salonId: 'other' }), /^source\.salonId "other" does not match the authenticated device "pad-001" \(salon "abc123"\)$/)
  refused(t, spoof({ deviceType: 'toaster' }), /is not a device type/)
  refused(t, spoof({ deviceId: 7 }), /^source\.deviceId must be a string$/)
  refused(t, bytes({ ...seedExample(), source: 'pad-001' }), /^source must be an object/)
  refused(t, spoof({ deviceId: 'x'.repeat(500) }), /^source\.deviceId "x{64}…" does not match/)
})

t.test('malformed JSON, non-objects and missing or wrong fields are refused with the field named', async (t) => {
  refused(t, Buffer.from(`{"id": "x", "payload": "${SECRET}"`), /^payload is not valid UTF-8 JSON$/)
  refused(t, Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), /^payload is not valid UTF-8 JSON$/)
  refused(t, bytes([seedExample()]), /^envelope must be a JSON object$/)
  refused(t, bytes(SECRET), /^envelope must be a JSON object$/)
  const without = (field: string): Buffer => { const m = seedExample(); delete m[field]; return bytes(m) }
  refused(t, without('id'), /^id must be a non-empty string$/)
  refused(t, bytes({ ...seedExample(), id: '' }), /^id must be a non-empty string$/)
  refused(t, without('timestamp'), /^timestamp must be an ISO 8601/)
  refused(t, bytes({ ...seedExample(), timestamp: 'yesterday' }), /^timestamp must be an ISO 8601/)
  refused(t, without('source'), /^source must be an object/)
  refused(t, without('payload'), /^payload is missing$/)
  refused(t, without('version'), /^version must be a positive integer$/)
  refused(t, bytes({ ...seedExample(), version: 0 }), /^version must be a positive integer$/)
  refused(t, bytes({ ...seedExample(), version: 1.5 }), /^version must be a positive integer$/)
  refused(t, bytes({ ...seedExample(), version: '1' }), /^version must be a positive integer$/)
})

t.test('an oversize envelope is refused before it is parsed', async (t) => {
  const big = bytes({ ...seedExample(), payload: { signatureData: SECRET + 'A'.repeat(5000) } })
  refused(t, big, new RegExp(`^payload of ${big.length} bytes exceeds envelope\\.maxBytes \\(4096\\)$`))
})

t.test('an empty retained payload clears a topic and is accepted; an empty plain one is refused [MQTT-3.3.1-10]', async (t) => {
  t.same(checkEnvelope(pad, Buffer.alloc(0), true, limits), { ok: true })
  refused(t, Buffer.alloc(0), /^empty payload/)
})

t.test('ISO 8601 timestamps need a zone and a real date', async (t) => {
  for (const ok of ['2025-01-04T10:30:00.000Z', '2025-01-04T10:30:00Z', '2024-02-29T23:59:59+01:00']) t.ok(isIsoTimestamp(ok), ok)
  for (const bad of ['2025-01-04', '2025-01-04T10:30:00', '2025-02-30T00:00:00Z', '2025-13-01T00:00:00Z', '2025-01-04T24:00:00Z', 1736000000000]) {
    t.notOk(isIsoTimestamp(bad), String(bad))
  }
})

t.test('the configured checker applies to salon/{salonId}/# by default and not elsewhere or when disabled', async (t) => {
  const section = { enabled: true, topics: envelopeSection.properties.topics.default, maxBytes: 4096 }
  const checker = createEnvelopeChecker(section, { salonId: 'abc123' })
  t.ok(checker.applies(topics.padSignature('abc123')))
  t.notOk(checker.applies('checkin/client'))
  t.match(checker.check(pad, topics.padSignature('abc123'), Buffer.from('not json'), false), { ok: false })
  t.same(checker.check(pad, 'devices/debug', Buffer.from('not json'), false), { ok: true }, 'topics outside the filters are not checked')
  const off = createEnvelopeChecker({ ...section, enabled: false }, { salonId: 'abc123' })
  t.notOk(off.applies(topics.padSignature('abc123')))
  t.same(off.check(pad, topics.padSignature('abc123'), Buffer.from('not json'), false), { ok: true })
  t.throws(() => createEnvelopeChecker({ ...section, topics: ['salon/{deviceId}/#', 'a/#/b'] }, { salonId: 'abc123' }), ConfigError)
})
