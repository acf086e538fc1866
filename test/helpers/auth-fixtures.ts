/**
 * Shared fixtures of the auth tests: two salons, one identity per device type, and the ACL built
 * from the shipped role table.
 */
import { createAcl, type Acl } from '../../src/auth/acl.js'
import { DEVICE_TYPES, type DeviceIdentity, type DeviceType } from '../../src/auth/types.js'
import { DEFAULT_ACL_ROLES, type AclDenyRule } from '../../src/config/sections/acl.js'

/** The hub's salon. */
export const OWN = 'salon-a'
/** Another salon, whose topics no device of this hub may touch. */
export const OTHER = 'salon-b'

/** The identity of a device of type `deviceType` (of this hub's salon unless told). */
export function device (deviceType: DeviceType, salonId = OWN, deviceId = `${deviceType}-1`): DeviceIdentity {
  return { salonId, deviceType, deviceId }
}

/** One identity per device type, of this hub's salon. */
export const DEVICES: readonly DeviceIdentity[] = DEVICE_TYPES.map((type) => device(type))

/** The ACL of a hub of salon {@link OWN} with the shipped role table. */
export function defaultAcl (deny: readonly AclDenyRule[] = []): Acl {
  return createAcl({ salonId: OWN, roles: DEFAULT_ACL_ROLES, deny })
}
