// Do the typed topic builders produce every topic of the seed's hierarchy and refuse ids that would add a level or a wildcard?
import t from 'tap'
import { TOPIC_FAMILIES, topics, type TopicFamilyName } from '../../src/envelope/topics.js'
import { isValidTopic } from '../../src/auth/topic-filter.js'

t.test('each builder gives the seed\'s topic for a salon', async (t) => {
  const expected: Record<TopicFamilyName, string> = {
    padSignature: 'salon/abc123/pad/signature',
    checkinClient: 'salon/abc123/checkin/client',
    checkinStaff: 'salon/abc123/checkin/staff',
    receiptsReady: 'salon/abc123/receipts/ready',
    ticketsCreated: 'salon/abc123/tickets/created',
    ticketsUpdated: 'salon/abc123/tickets/updated',
    ticketStatus: 'salon/abc123/tickets/ticket-uuid-789/status',
    appointmentsCreated: 'salon/abc123/appointments/created',
    appointmentsUpdated: 'salon/abc123/appointments/updated',
    appointmentsCancelled: 'salon/abc123/appointments/cancelled',
    paymentsCompleted: 'salon/abc123/payments/completed',
    waitlistUpdated: 'salon/abc123/waitlist/updated',
    waitlistCurrent: 'salon/abc123/waitlist/current',
    turnsAssigned: 'salon/abc123/turns/assigned',
    bookingsCreated: 'salon/abc123/bookings/created',
    bookingsModified: 'salon/abc123/bookings/modified',
    bookingsCancelled: 'salon/abc123/bookings/cancelled',
    hubStatus: 'salon/abc123/hub/status'
  }
  t.same(Object.keys(expected).sort(), Object.keys(TOPIC_FAMILIES).sort(), 'every family has a builder')
  for (const [name, topic] of Object.entries(expected) as Array<[TopicFamilyName, string]>) {
    const built = name === 'ticketStatus' ? topics.ticketStatus('abc123', 'ticket-uuid-789') : topics[name]('abc123')
    t.equal(built, topic, name)
    t.ok(isValidTopic(built), `${name} is a valid topic name`)
  }
  t.equal(topics.salonAll('abc123'), 'salon/abc123/#')
  t.equal(topics.storeAppSeedFilter(), 'salon/+/+/#')
})

t.test('the catalogue carries the seed\'s QoS of each event', async (t) => {
  t.equal(TOPIC_FAMILIES.padSignature.qos, 1)
  t.equal(TOPIC_FAMILIES.paymentsCompleted.qos, 2)
  t.equal(TOPIC_FAMILIES.waitlistUpdated.qos, 0)
  t.equal(TOPIC_FAMILIES.ticketsUpdated.qos, 0)
  t.equal(TOPIC_FAMILIES.hubStatus.retained, true)
})

t.test('ids holding /, +, # or NUL, or empty, are refused with the argument named', async (t) => {
  for (const bad of ['', 'a/b', '+', '#', 'x\u0000']) {
    t.throws(() => topics.padSignature(bad), { name: 'RangeError', message: /^salonId must be a non-empty string/ }, `salonId ${JSON.stringify(bad)}`)
    t.throws(() => topics.ticketStatus('abc123', bad), { name: 'RangeError', message: /^ticketId must be/ }, `ticketId ${JSON.stringify(bad)}`)
  }
})
