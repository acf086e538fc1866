// Is a device publish refused by the ACL before its envelope is looked at, and by the envelope check when the ACL allows it, each with its cause?
import t from 'tap'
import { decidePublish } from '../../src/auth/publish-decision.js'
import { createEnvelopeChecker } from '../../src/envelope/checker.js'
import { createMessage, encodeMessage } from '../../src/envelope/message.js'
import { topics } from '../../src/envelope/topics.js'
import { OWN, defaultAcl, device } from '../helpers/auth-fixtures.js'

const acl = defaultAcl()
const envelope = createEnvelopeChecker({ enabled: true, topics: ['salon/{salonId}/#'], maxBytes: 4096 }, { salonId: OWN })
const pad = device('mango-pad')
const good = encodeMessage(createMessage(pad, { ticketId: 't1' }))

t.test('a pad publishing its signature with its own envelope is allowed', async (t) => {
  t.same(decidePublish(acl, envelope, pad, { topic: topics.padSignature(OWN), payload: good, retain: false }), { ok: true })
})

t.test('a forbidden topic is refused by the ACL whatever the payload', async (t) => {
  t.match(decidePublish(acl, envelope, pad, { topic: topics.paymentsCompleted(OWN), payload: good, retain: false }), { ok: false, cause: 'acl' })
  t.match(decidePublish(acl, envelope, pad, { topic: topics.padSignature('salon-b'), payload: good, retain: false }), { ok: false, cause: 'acl', reason: /salon-b/ })
})

t.test('an allowed topic with a spoofed source or malformed JSON is refused by the envelope check', async (t) => {
  const spoofed = encodeMessage(createMessage(device('mango-pad', OWN, 'pad-999'), {}))
  t.match(decidePublish(acl, envelope, pad, { topic: topics.padSignature(OWN), payload: spoofed, retain: false }), { ok: false, cause: 'envelope', reason: /source\.deviceId "pad-999" does not match/ })
  t.match(decidePublish(acl, envelope, pad, { topic: topics.padSignature(OWN), payload: Buffer.from('{'), retain: false }), { ok: false, cause: 'envelope', reason: /not valid UTF-8 JSON/ })
  t.same(decidePublish(acl, envelope, device('store-app'), { topic: topics.waitlistCurrent(OWN), payload: Buffer.alloc(0), retain: true }), { ok: true }, 'a retained clear is allowed')
})
