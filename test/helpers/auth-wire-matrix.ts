/**
 * The expected cells of the ACL matrix, written out by hand from the issue and the seed's Event
 * Reference (not computed from the role table, so a wrong table fails the tests): for every
 * device type, the topic families of its own salon it may publish and receive.
 */
import { DEVICE_TYPES, type DeviceType } from '../../src/auth/types.js'
import { TOPIC_FAMILIES, topics, type TopicFamilyName } from '../../src/envelope/index.js'

/** Every topic family of the seed (and the hub's `hub/status`). */
export const FAMILIES = Object.keys(TOPIC_FAMILIES) as TopicFamilyName[]

/** The ticket of the `tickets/{ticketId}/status` family. */
export const TICKET = 't-1'

/** The topic of a family in a salon. */
export function topicOf (family: TopicFamilyName, salonId: string): string {
  return family === 'ticketStatus' ? topics.ticketStatus(salonId, TICKET) : topics[family](salonId)
}

const all = FAMILIES
const except = (...names: TopicFamilyName[]): TopicFamilyName[] => all.filter((f) => !names.includes(f))

/** Families of its own salon each device type may publish; nothing of another salon, ever. */
export const MAY_PUBLISH: Readonly<Record<DeviceType, readonly TopicFamilyName[]>> = {
  // everything of its salon but the hub's own namespace
  'store-app': except('hubStatus'),
  'check-in': ['checkinClient', 'checkinStaff'],
  'mango-pad': ['padSignature'],
  'staff-tablet': ['checkinStaff', 'ticketStatus'],
  'online-store': [],
  'client-portal': []
}

/** Families of its own salon each device type may subscribe to and receive. */
export const MAY_RECEIVE: Readonly<Record<DeviceType, readonly TopicFamilyName[]>> = {
  'store-app': all,
  'check-in': ['waitlistUpdated', 'waitlistCurrent', 'hubStatus'],
  'mango-pad': ['receiptsReady', 'hubStatus'],
  'staff-tablet': [
    'ticketsCreated', 'ticketsUpdated', 'ticketStatus',
    'appointmentsCreated', 'appointmentsUpdated', 'appointmentsCancelled',
    'waitlistUpdated', 'waitlistCurrent', 'turnsAssigned',
    'bookingsCreated', 'bookingsModified', 'bookingsCancelled', 'hubStatus'
  ],
  'online-store': [],
  'client-portal': []
}

/** One device id per type, as enrolled by the matrix tests. */
export const MATRIX_DEVICES = DEVICE_TYPES.map((deviceType) => ({ deviceType, deviceId: `${deviceType.split('-')[0] ?? deviceType}-1` }))
