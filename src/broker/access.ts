import { type Credentials, type DeviceIdentity } from '../auth/types.js'

/** A decision on a publish or subscribe, with the reason logged when it is a refusal. */
export type Verdict = { readonly ok: true } | { readonly ok: false, readonly reason: string }

/**
 * What the broker asks about every connection, publish, subscription and delivery. The auth
 * part implements it (device registry or JWT, role table, envelope); the broker adapts it to
 * aedes' callbacks in one place (`hooks.ts`).
 */
export interface AccessPolicy {
  /** Verify credentials; reject with an `AuthError` carrying the CONNACK code. */
  admit (credentials: Credentials): Promise<DeviceIdentity | null>
  /** May this connection publish this message? (ACL, then envelope). */
  publish (identity: DeviceIdentity | null, message: { topic: string, payload: Buffer, retain: boolean }): Verdict
  /** May it subscribe? The filter may come back narrowed to the device's own salon. */
  subscribe (identity: DeviceIdentity | null, filter: string): { readonly ok: true, readonly filter: string } | { readonly ok: false, readonly reason: string }
  /** May it receive a message on this topic? Checked on every delivery, live or queued. */
  forward (identity: DeviceIdentity | null, topic: string): boolean
}

/** Admits everyone and allows everything but publishing to `$SYS` (aedes' own default). */
export const openAccess: AccessPolicy = {
  admit: async () => null,
  publish: (_identity, message) => message.topic.startsWith('$SYS') ? { ok: false, reason: '$SYS topics are reserved for the broker' } : { ok: true },
  subscribe: (_identity, filter) => ({ ok: true, filter }),
  forward: () => true
}
