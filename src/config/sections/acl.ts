/**
 * The `acl` section: the role table (what each device type may publish and subscribe) and the deny
 * rules that apply to everyone in every auth mode. `config/acl-roles.json` ships the same table as
 * {@link DEFAULT_ACL_ROLES}; a test keeps the two identical.
 */
import { type DeviceType } from '../../auth/types.js'

/** What one device type may do; filters may hold the placeholders `{salonId}` and `{deviceId}`. */
export interface AclRole {
  /** Topic filters the device may publish to. */
  readonly publish: readonly string[]
  /** Topic filters the device may subscribe to and receive from. */
  readonly subscribe: readonly string[]
}

/** One role per device type. */
export type AclRoles = Readonly<Record<DeviceType, AclRole>>

/** A filter nobody may use for the given action, whatever the role table says. */
export interface AclDenyRule {
  readonly filter: string
  readonly action: 'publish' | 'subscribe' | 'both'
}

/** The validated `acl` section. */
export interface AclSection {
  readonly roles: AclRoles
  readonly deny: readonly AclDenyRule[]
}

/**
 * The shipped role table, following the seed's Event Reference: the Store App owns its salon,
 * the other devices publish their own events and read what is addressed to them, and every local
 * device reads the hub's retained `hub/status`. Cloud-only types get nothing on the local hub.
 */
export const DEFAULT_ACL_ROLES = {
  'store-app': {
    publish: ['salon/{salonId}/#'],
    subscribe: ['salon/{salonId}/#', '$SYS/#']
  },
  'check-in': {
    publish: ['salon/{salonId}/checkin/client', 'salon/{salonId}/checkin/staff'],
    subscribe: ['salon/{salonId}/waitlist/#', 'salon/{salonId}/hub/status']
  },
  'mango-pad': {
    publish: ['salon/{salonId}/pad/signature'],
    subscribe: ['salon/{salonId}/receipts/ready', 'salon/{salonId}/hub/status']
  },
  'staff-tablet': {
    publish: ['salon/{salonId}/checkin/staff', 'salon/{salonId}/tickets/+/status'],
    subscribe: [
      'salon/{salonId}/appointments/#',
      'salon/{salonId}/tickets/#',
      'salon/{salonId}/turns/#',
      'salon/{salonId}/waitlist/#',
      'salon/{salonId}/bookings/#',
      'salon/{salonId}/hub/status'
    ]
  },
  'online-store': { publish: [], subscribe: [] },
  'client-portal': { publish: [], subscribe: [] }
} as const satisfies AclRoles

const filterList = (description: string, dflt: readonly string[]) => ({
  type: 'array',
  items: { type: 'string', minLength: 1 },
  default: dflt,
  description
}) as const

const role = (type: DeviceType) => ({
  type: 'object',
  additionalProperties: false,
  default: DEFAULT_ACL_ROLES[type],
  description: `What a ${type} device may do. Setting it replaces the shipped role of ${type}.`,
  properties: {
    publish: filterList(`Topic filters a ${type} may publish to.`, []),
    subscribe: filterList(`Topic filters a ${type} may subscribe to and receive from.`, [])
  }
}) as const

/** The JSON Schema of the `acl` section. */
export const aclSection = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'Who may publish and subscribe to what. Filters may use {salonId} (the hub\'s salon) and {deviceId}. A subscription that could match other salons is narrowed to the device\'s own salon, or refused when the narrowed filter is still not allowed.',
  properties: {
    roles: {
      type: 'object',
      additionalProperties: false,
      default: DEFAULT_ACL_ROLES,
      description: 'The role table, one role per device type (shipped default: config/acl-roles.json). Roles left out keep their shipped default.',
      properties: {
        'store-app': role('store-app'),
        'check-in': role('check-in'),
        'mango-pad': role('mango-pad'),
        'staff-tablet': role('staff-tablet'),
        'online-store': role('online-store'),
        'client-portal': role('client-portal')
      }
    },
    deny: {
      type: 'array',
      default: [],
      description: 'Filters nobody may publish and/or subscribe to, in every auth mode. A subscription overlapping a denied filter is refused (SUBACK 0x80) and no message on a denied topic is delivered.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['filter'],
        properties: {
          filter: { type: 'string', minLength: 1, description: 'Topic filter; may use {salonId} and {deviceId}.' },
          action: { type: 'string', enum: ['publish', 'subscribe', 'both'], default: 'both', description: 'What is denied on the filter.' }
        }
      }
    }
  }
} as const
