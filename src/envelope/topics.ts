/**
 * Typed builders for every topic of the seed's hierarchy ("MQTT Topics Structure", "Event
 * Reference", plus the hub's own retained `hub/status`), and the catalogue they come from.
 * Device apps build topics with these instead of string templates, so an id can never inject a
 * level or a wildcard.
 */
import { type DeviceType } from '../auth/types.js'

/** One topic family of the seed: its path under `salon/{salonId}/` and who talks on it. */
export interface TopicFamily {
  /** Path below `salon/{salonId}/`; `{ticketId}` marks the one variable level. */
  readonly path: string
  /** Device types that publish it (`hub` for the hub itself, `cloud` for the bridge). */
  readonly from: ReadonlyArray<DeviceType | 'hub' | 'cloud'>
  /** QoS of the seed's Event Reference. */
  readonly qos: 0 | 1 | 2
  readonly retained: boolean
  readonly description: string
}

/** Every topic family of the seed, keyed by builder name. */
export const TOPIC_FAMILIES = {
  padSignature: { path: 'pad/signature', from: ['mango-pad'], qos: 1, retained: false, description: 'Customer signature (Mango Pad → Store App).' },
  checkinClient: { path: 'checkin/client', from: ['check-in'], qos: 1, retained: false, description: 'Walk-in arrival (Check-In → Store App).' },
  checkinStaff: { path: 'checkin/staff', from: ['check-in', 'staff-tablet'], qos: 1, retained: false, description: 'Staff clock in/out.' },
  receiptsReady: { path: 'receipts/ready', from: ['store-app'], qos: 1, retained: false, description: 'Receipt ready for signature (Store App → Mango Pad).' },
  ticketsCreated: { path: 'tickets/created', from: ['store-app'], qos: 1, retained: false, description: 'New ticket.' },
  ticketsUpdated: { path: 'tickets/updated', from: ['store-app'], qos: 0, retained: false, description: 'Ticket modified.' },
  ticketStatus: { path: 'tickets/{ticketId}/status', from: ['store-app', 'staff-tablet'], qos: 1, retained: false, description: 'Status of one ticket.' },
  appointmentsCreated: { path: 'appointments/created', from: ['store-app'], qos: 1, retained: false, description: 'New appointment.' },
  appointmentsUpdated: { path: 'appointments/updated', from: ['store-app'], qos: 1, retained: false, description: 'Appointment modified.' },
  appointmentsCancelled: { path: 'appointments/cancelled', from: ['store-app'], qos: 1, retained: false, description: 'Appointment cancelled.' },
  paymentsCompleted: { path: 'payments/completed', from: ['store-app'], qos: 2, retained: false, description: 'Payment processed.' },
  waitlistUpdated: { path: 'waitlist/updated', from: ['store-app'], qos: 0, retained: false, description: 'Waitlist changed.' },
  waitlistCurrent: { path: 'waitlist/current', from: ['store-app'], qos: 1, retained: true, description: 'The current waitlist (retained, last known value).' },
  turnsAssigned: { path: 'turns/assigned', from: ['store-app'], qos: 1, retained: false, description: 'Staff turn assignment.' },
  bookingsCreated: { path: 'bookings/created', from: ['cloud'], qos: 1, retained: false, description: 'Online booking (Online Store, through the bridge).' },
  bookingsModified: { path: 'bookings/modified', from: ['cloud'], qos: 1, retained: false, description: 'Booking modified by the customer.' },
  bookingsCancelled: { path: 'bookings/cancelled', from: ['cloud'], qos: 1, retained: false, description: 'Booking cancelled by the customer.' },
  hubStatus: { path: 'hub/status', from: ['hub'], qos: 1, retained: true, description: 'The hub\'s own status (retained, published by the hub only).' }
} as const satisfies Record<string, TopicFamily>

/** The name of a topic family (`padSignature`, `ticketStatus`, …). */
export type TopicFamilyName = keyof typeof TOPIC_FAMILIES

/**
 * Refuse an id that would add a level or a wildcard to a topic: empty, or holding `/`, `+`, `#`
 * or NUL. Throws a `RangeError` naming the argument.
 */
export function assertTopicId (name: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || /[/+#\u0000]/.test(value)) {
    throw new RangeError(`${name} must be a non-empty string without "/", "+", "#" or NUL (received ${JSON.stringify(value)})`)
  }
  return value
}

const salon = (salonId: string, path: string): string => `salon/${assertTopicId('salonId', salonId)}/${path}`
const fixed = (name: Exclude<TopicFamilyName, 'ticketStatus'>) => (salonId: string): string => salon(salonId, TOPIC_FAMILIES[name].path)

/** Topic builders: `topics.padSignature('abc123')` → `salon/abc123/pad/signature`. */
export const topics = {
  padSignature: fixed('padSignature'),
  checkinClient: fixed('checkinClient'),
  checkinStaff: fixed('checkinStaff'),
  receiptsReady: fixed('receiptsReady'),
  ticketsCreated: fixed('ticketsCreated'),
  ticketsUpdated: fixed('ticketsUpdated'),
  /** `salon/{salonId}/tickets/{ticketId}/status` */
  ticketStatus: (salonId: string, ticketId: string): string => salon(salonId, `tickets/${assertTopicId('ticketId', ticketId)}/status`),
  appointmentsCreated: fixed('appointmentsCreated'),
  appointmentsUpdated: fixed('appointmentsUpdated'),
  appointmentsCancelled: fixed('appointmentsCancelled'),
  paymentsCompleted: fixed('paymentsCompleted'),
  waitlistUpdated: fixed('waitlistUpdated'),
  waitlistCurrent: fixed('waitlistCurrent'),
  turnsAssigned: fixed('turnsAssigned'),
  bookingsCreated: fixed('bookingsCreated'),
  bookingsModified: fixed('bookingsModified'),
  bookingsCancelled: fixed('bookingsCancelled'),
  hubStatus: fixed('hubStatus'),
  /** The filter of everything of one salon, `salon/{salonId}/#`. */
  salonAll: (salonId: string): string => salon(salonId, '#'),
  /** The Store App's seed subscription `salon/+/+/#` (the hub narrows it to the device's own salon). */
  storeAppSeedFilter: (): string => 'salon/+/+/#'
} as const satisfies Record<TopicFamilyName, (...args: string[]) => string> & Record<string, (...args: string[]) => string>
