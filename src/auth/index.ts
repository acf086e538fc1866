/**
 * Device identity and the salon ACL: what the hub wires into its Aedes hooks.
 */
export { createAcl, type Acl, type AclOptions, type PublishVerdict, type SubscribeVerdict } from './acl.js'
export { decidePublish, type PublishDecision } from './publish-decision.js'
export { createAuthenticator, credentialsForLog, effectiveSalonId, DEV_SALON_ID, type AuthenticatorDeps, type HubAuthenticator } from './create-authenticator.js'
export { LevelDeviceRegistry, type DeviceRegistryOptions, type TokenCheck, type TokenRegistry } from './device-registry.js'
export { DeviceRegistryError, type DeviceRegistryErrorCode } from './registry-errors.js'
export { OPEN_MODE_WARNING, openIdentity } from './open-authenticator.js'
export { createThrottle, type Throttle } from './throttle.js'
export { clientIdOf, isValidId, parseClientId, ID_PATTERN } from './ids.js'
export { filterWithin, filtersOverlap, intersectFilters, isValidFilter, isValidTopic, topicMatches } from './topic-filter.js'
export { DEVICE_TYPES, type Authenticator, type Credentials, type DeviceIdentity, type DeviceRecord, type DeviceRegistry, type DeviceType } from './types.js'
