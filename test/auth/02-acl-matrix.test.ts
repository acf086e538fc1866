// Does the shipped role table hold for every device type × seed topic family × publish/subscribe/receive × own/other salon, and for wildcard subscriptions?
import t from 'tap'
import { DEVICE_TYPES, type DeviceType } from '../../src/auth/types.js'
import { TOPIC_FAMILIES, topics, type TopicFamilyName } from '../../src/envelope/topics.js'
import { OTHER, OWN, defaultAcl, device } from '../helpers/auth-fixtures.js'

const acl = defaultAcl()
const FAMILIES = Object.keys(TOPIC_FAMILIES) as TopicFamilyName[]

function topicOf (family: TopicFamilyName, salonId: string): string {
  return family === 'ticketStatus' ? topics.ticketStatus(salonId, 'ticket-42') : topics[family](salonId)
}

/** The expected table, written out independently of the role table it checks. */
const PUBLISH: Record<DeviceType, readonly TopicFamilyName[]> = {
  'store-app': FAMILIES.filter((f) => f !== 'hubStatus'),
  'check-in': ['checkinClient', 'checkinStaff'],
  'mango-pad': ['padSignature'],
  'staff-tablet': ['checkinStaff', 'ticketStatus'],
  'online-store': [],
  'client-portal': []
}
const SUBSCRIBE: Record<DeviceType, readonly TopicFamilyName[]> = {
  'store-app': FAMILIES,
  'check-in': ['waitlistUpdated', 'waitlistCurrent', 'hubStatus'],
  'mango-pad': ['receiptsReady', 'hubStatus'],
  'staff-tablet': [
    'ticketsCreated', 'ticketsUpdated', 'ticketStatus', 'appointmentsCreated', 'appointmentsUpdated',
    'appointmentsCancelled', 'waitlistUpdated', 'waitlistCurrent', 'turnsAssigned', 'bookingsCreated',
    'bookingsModified', 'bookingsCancelled', 'hubStatus'
  ],
  'online-store': [],
  'client-portal': []
}

t.test('every cell of the matrix: type × topic family × action × salon', async (t) => {
  let cells = 0
  for (const type of DEVICE_TYPES) {
    const me = device(type)
    for (const family of FAMILIES) {
      const own = topicOf(family, OWN)
      const other = topicOf(family, OTHER)
      const mayPublish = PUBLISH[type].includes(family)
      const mayRead = SUBSCRIBE[type].includes(family)

      t.equal(acl.publish(me, own).ok, mayPublish, `${type} ${mayPublish ? 'may' : 'may not'} publish ${own}`)
      t.equal(acl.publish(me, other).ok, false, `${type} may not publish ${other} (another salon)`)

      const sub = acl.subscribe(me, own)
      t.same(sub, mayRead ? { ok: true, filter: own } : { ok: false, reason: sub.ok ? '' : sub.reason },
        `${type} ${mayRead ? 'may' : 'may not'} subscribe ${own}`)
      t.equal(acl.subscribe(me, other).ok, false, `${type} may not subscribe ${other} (another salon)`)

      t.equal(acl.forward(me, own), mayRead, `${type} ${mayRead ? 'receives' : 'never receives'} ${own}`)
      t.equal(acl.forward(me, other), false, `${type} never receives ${other} (another salon)`)
      cells += 6
    }
  }
  t.equal(cells, DEVICE_TYPES.length * FAMILIES.length * 6, 'every cell was checked')
})

const OWN_ALL = `salon/${OWN}/#`
/** Wildcard subscriptions: the granted filter per type, or null for SUBACK 0x80. */
const WILDCARDS: Record<string, Record<DeviceType, string | null>> = {
  '#': { 'store-app': OWN_ALL, 'check-in': null, 'mango-pad': null, 'staff-tablet': null, 'online-store': null, 'client-portal': null },
  '+/#': { 'store-app': OWN_ALL, 'check-in': null, 'mango-pad': null, 'staff-tablet': null, 'online-store': null, 'client-portal': null },
  'salon/+/#': { 'store-app': OWN_ALL, 'check-in': null, 'mango-pad': null, 'staff-tablet': null, 'online-store': null, 'client-portal': null },
  'salon/+/+/#': { 'store-app': `salon/${OWN}/+/#`, 'check-in': null, 'mango-pad': null, 'staff-tablet': null, 'online-store': null, 'client-portal': null },
  [OWN_ALL]: { 'store-app': OWN_ALL, 'check-in': null, 'mango-pad': null, 'staff-tablet': null, 'online-store': null, 'client-portal': null },
  [`salon/${OTHER}/#`]: { 'store-app': null, 'check-in': null, 'mango-pad': null, 'staff-tablet': null, 'online-store': null, 'client-portal': null },
  '$SYS/#': { 'store-app': '$SYS/#', 'check-in': null, 'mango-pad': null, 'staff-tablet': null, 'online-store': null, 'client-portal': null },
  'salon/+/waitlist/#': { 'store-app': `salon/${OWN}/waitlist/#`, 'check-in': `salon/${OWN}/waitlist/#`, 'mango-pad': null, 'staff-tablet': `salon/${OWN}/waitlist/#`, 'online-store': null, 'client-portal': null },
  '+/+/receipts/ready': { 'store-app': `salon/${OWN}/receipts/ready`, 'check-in': null, 'mango-pad': `salon/${OWN}/receipts/ready`, 'staff-tablet': null, 'online-store': null, 'client-portal': null },
  'salon/+/tickets/+/status': { 'store-app': `salon/${OWN}/tickets/+/status`, 'check-in': null, 'mango-pad': null, 'staff-tablet': `salon/${OWN}/tickets/+/status`, 'online-store': null, 'client-portal': null }
}

t.test('wildcard subscriptions are narrowed to the own salon or refused with SUBACK 0x80', async (t) => {
  for (const [filter, byType] of Object.entries(WILDCARDS)) {
    for (const type of DEVICE_TYPES) {
      const expected = byType[type]
      const verdict = acl.subscribe(device(type), filter)
      if (expected === null) {
        t.equal(verdict.ok, false, `${type} subscribing ${filter} is refused`)
      } else {
        t.same(verdict, { ok: true, filter: expected }, `${type} subscribing ${filter} gets ${expected}`)
      }
    }
  }
})

t.test('the Store App\'s seed subscription salon/+/+/# keeps working for its own salon only', async (t) => {
  const storeApp = device('store-app')
  const verdict = acl.subscribe(storeApp, topics.storeAppSeedFilter())
  t.same(verdict, { ok: true, filter: `salon/${OWN}/+/#` })
  t.ok(acl.forward(storeApp, topics.padSignature(OWN)), 'receives its own salon\'s signatures')
  t.ok(acl.forward(storeApp, topics.ticketStatus(OWN, 't1')), 'receives its own salon\'s ticket status')
  t.notOk(acl.forward(storeApp, topics.padSignature(OTHER)), 'never receives another salon\'s signatures')
})

t.test('offline-queue replay: forward refuses what a persisted original filter would still match', async (t) => {
  // Aedes persists the ORIGINAL filter of a clean-session-0 client even when authorizeSubscribe
  // narrowed or refused it, and replays queued messages through authorizeForward on reconnect.
  const storeApp = device('store-app')
  for (const family of FAMILIES) {
    t.notOk(acl.forward(storeApp, topicOf(family, OTHER)), `store-app's persisted salon/+/+/# does not replay ${topicOf(family, OTHER)}`)
  }
  const pad = device('mango-pad')
  for (const family of FAMILIES.filter((f) => !SUBSCRIBE['mango-pad'].includes(f))) {
    t.notOk(acl.forward(pad, topicOf(family, OWN)), `mango-pad's refused # does not replay ${topicOf(family, OWN)}`)
  }
  t.notOk(acl.forward(pad, 'checkin/client'), 'a topic outside the salon tree is not forwarded to a pad')
})

t.test('$SYS topics are readable by the store app only', async (t) => {
  for (const type of DEVICE_TYPES) {
    const mayRead = type === 'store-app'
    t.equal(acl.forward(device(type), '$SYS/hub/clients/connected'), mayRead, `${type} ${mayRead ? 'receives' : 'never receives'} $SYS`)
    t.equal(acl.subscribe(device(type), '$SYS/hub/clients/connected').ok, mayRead)
    t.equal(acl.publish(device(type), '$SYS/hub/clients/connected').ok, false, `${type} may not publish to $SYS`)
  }
})

t.test('a device of another salon, or with a malformed identity, gets nothing', async (t) => {
  for (const type of DEVICE_TYPES) {
    const stranger = device(type, OTHER)
    t.equal(acl.publish(stranger, topicOf('padSignature', OTHER)).ok, false)
    t.equal(acl.subscribe(stranger, `salon/${OTHER}/#`).ok, false)
    t.equal(acl.forward(stranger, topicOf('hubStatus', OTHER)), false)
    t.equal(acl.forward(stranger, topicOf('hubStatus', OWN)), false)
  }
  const injected = device('store-app', OWN, 'x/#')
  t.equal(acl.publish(injected, topicOf('ticketsCreated', OWN)).ok, false, 'a device id with / and # is refused')
  t.equal(acl.forward(injected, topicOf('ticketsCreated', OWN)), false)
  const verdict = acl.publish(device('store-app', OTHER), topics.padSignature(OTHER))
  t.match(verdict, { ok: false, reason: /salon "salon-b" is not served by this hub/ })
})
