// In auth.mode open, is everyone admitted with a loud warning while the acl.deny rules still refuse denied filters (SUBACK 0x80) and drop denied publishes, and is nothing else of the ACL applied?
import t from 'tap'
import { OPEN_MODE_WARNING } from '../../src/auth/open-authenticator.js'
import { OTHER_SALON, SALON, counter, startWireHub } from '../helpers/auth-wire-hub.js'
import { FAILURE, connectWith, suback } from '../helpers/auth-wire-mqtt.js'

const DENY = [
  { filter: 'salon/{salonId}/payments/#', action: 'both' },
  { filter: 'salon/{salonId}/turns/#', action: 'publish' }
]

t.test('open mode: anyone is admitted, acl.deny refuses and drops, the rest is open', async (t) => {
  const wire = await startWireHub(t, { config: { auth: { mode: 'open' }, acl: { deny: DENY } } })
  t.match(wire.lines.find((l) => l.msg === OPEN_MODE_WARNING), { level: 40, authMode: 'open' }, 'a loud warning at start')
  const anyone = await connectWith(t, wire.ports.mqtt, { clientId: 'dev-laptop' })
  t.ok(anyone.client.connected, 'a client without credentials is admitted (CONNACK 0)')

  const filters = [`salon/${SALON}/payments/#`, `salon/${SALON}/payments/completed`, 'salon/+/#', '#', `salon/${SALON}/turns/#`, `salon/${SALON}/tickets/#`, `salon/${OTHER_SALON}/#`]
  t.same(await suback(anyone.client, filters), [FAILURE, FAILURE, FAILURE, FAILURE, 1, 1, 1],
    'the denied filter and every filter overlapping it get 0x80; a publish-only rule does not refuse subscribing; no role table, no salon isolation')

  const publisher = await connectWith(t, wire.ports.mqtt, { clientId: 'another-dev' })
  const before = await counter(wire.ports, 'mango_publish_forbidden_total')
  await publisher.client.publishAsync(`salon/${SALON}/turns/assigned`, 'turn', { qos: 1 })
  await publisher.client.publishAsync(`salon/${SALON}/payments/completed`, 'payment', { qos: 1 })
  await publisher.client.publishAsync(`salon/${SALON}/hub/status`, 'fake status', { qos: 1 })
  await publisher.client.publishAsync('$SYS/fake', 'fake', { qos: 1 })
  // no envelope in open mode: plain text is delivered
  await publisher.client.publishAsync(`salon/${SALON}/tickets/created`, 'plain text ticket', { qos: 1 })
  await publisher.client.publishAsync(`salon/${OTHER_SALON}/tickets/created`, 'another salon', { qos: 1 })
  await anyone.inbox.until((m) => m.topic === `salon/${OTHER_SALON}/tickets/created`, 5000, 'the last message')
  t.same(anyone.inbox.messages.map((m) => `${m.topic} ${m.payload.toString()}`), [
    `salon/${SALON}/tickets/created plain text ticket`,
    `salon/${OTHER_SALON}/tickets/created another salon`
  ], 'the denied turn was dropped although the subscriber may read turns; nothing denied or reserved was delivered')
  t.equal(await counter(wire.ports, 'mango_publish_forbidden_total') - before, 4, 'the denied and reserved publishes were counted as drops')
  t.equal(publisher.closes(), 0, 'the publisher was not disconnected')
})
