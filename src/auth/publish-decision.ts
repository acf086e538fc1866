/**
 * One decision for a device publish: the ACL first, then the envelope check. Pure; the broker's
 * hook acts on it (acknowledge and drop, count, log client id, topic and reason).
 */
import { type EnvelopeChecker } from '../envelope/checker.js'
import { type Acl } from './acl.js'
import { type DeviceIdentity } from './types.js'

/** The outcome of a device publish, with the part that refused it (a metrics label). */
export type PublishDecision =
  | { readonly ok: true }
  | { readonly ok: false, readonly cause: 'acl' | 'envelope', readonly reason: string }

/** Decide a device publish of `payload` on `topic`. The reason never holds the payload. */
export function decidePublish (
  acl: Acl,
  envelope: EnvelopeChecker,
  identity: DeviceIdentity,
  packet: { readonly topic: string, readonly payload: Buffer, readonly retain: boolean }
): PublishDecision {
  const access = acl.publish(identity, packet.topic)
  if (!access.ok) return { ok: false, cause: 'acl', reason: access.reason }
  const shape = envelope.check(identity, packet.topic, packet.payload, packet.retain)
  if (!shape.ok) return { ok: false, cause: 'envelope', reason: shape.reason }
  return { ok: true }
}
