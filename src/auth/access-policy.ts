/**
 * The hub's access policy (`AccessPolicy` of the broker) built from the configuration: the
 * authenticator of `auth.mode`, the salon ACL and the envelope check. In `open` mode nobody is
 * authenticated, so there is no identity to apply the role table or the envelope's `source` to:
 * only the deny rules (and the reserved `$` and `salon/{salonId}/hub/` topics) hold.
 */
import { type AccessPolicy } from '../broker/access.js'
import { type AclSection } from '../config/sections/acl.js'
import { type AuthSection } from '../config/sections/auth.js'
import { type EnvelopeSection } from '../config/sections/envelope.js'
import { AuthError } from '../errors.js'
import { createEnvelopeChecker } from '../envelope/checker.js'
import { createAcl } from './acl.js'
import { createAuthenticator, effectiveSalonId, type HubAuthenticator } from './create-authenticator.js'
import { type TokenRegistry } from './device-registry.js'
import { expandPlaceholders } from './placeholders.js'
import { decidePublish } from './publish-decision.js'
import { filtersOverlap, isValidFilter, isValidTopic, topicMatches } from './topic-filter.js'

/** What the policy needs from the validated configuration. */
export interface PolicyConfig {
  readonly salonId: string | null
  readonly auth: AuthSection
  readonly acl: AclSection
  readonly envelope: EnvelopeSection
}

/** The policy and what the hub reports about it. */
export interface HubPolicy extends AccessPolicy {
  readonly authenticator: HubAuthenticator
  /** The salon the ACL and envelope use (`salonId`, or `dev` in open mode without one). */
  readonly salonId: string
}

/** The salon id reported while `salonId` is not configured (outside open mode nobody is admitted then). */
export const UNCONFIGURED = '(unset)'

/** Deny rules alone, for connections without an identity (open mode). Pure. */
export function denyOnly (salonId: string, deny: AclSection['deny']): Pick<AccessPolicy, 'publish' | 'subscribe' | 'forward'> {
  const rules = deny.map((r) => ({ action: r.action, filter: expandPlaceholders(r.filter, { salonId, deviceId: '+' }) }))
  const hub = `salon/${salonId}/hub/#`
  const deniedTopic = (topic: string, action: 'publish' | 'subscribe'): string | undefined =>
    rules.find((r) => (r.action === action || r.action === 'both') && topicMatches(r.filter, topic))?.filter
  return {
    publish (_identity, message) {
      if (!isValidTopic(message.topic)) return { ok: false, reason: `${JSON.stringify(message.topic)} is not a valid topic name` }
      if (message.topic.startsWith('$')) return { ok: false, reason: 'topics starting with "$" are reserved for the hub' }
      if (topicMatches(hub, message.topic)) return { ok: false, reason: `${hub} is written by the hub only` }
      const rule = deniedTopic(message.topic, 'publish')
      return rule === undefined ? { ok: true } : { ok: false, reason: `denied by acl.deny ${JSON.stringify(rule)}` }
    },
    subscribe (_identity, filter) {
      if (!isValidFilter(filter)) return { ok: false, reason: `${JSON.stringify(filter)} is not a valid topic filter` }
      const rule = rules.find((r) => (r.action === 'subscribe' || r.action === 'both') && filtersOverlap(r.filter, filter))
      return rule === undefined ? { ok: true, filter } : { ok: false, reason: `overlaps acl.deny ${JSON.stringify(rule.filter)}` }
    },
    forward (_identity, topic) {
      return deniedTopic(topic, 'subscribe') === undefined
    }
  }
}

/** Build the hub's policy; rejects with a `ConfigError` for an unusable salon id, role table or JWT key. */
export async function createHubPolicy (config: PolicyConfig, registry: TokenRegistry): Promise<HubPolicy> {
  if (config.salonId === null && config.auth.mode !== 'open') {
    // Secure by default and still able to start on the embedded defaults: without a salon no
    // device can be admitted, and the start-up log says so.
    const closed = denyOnly(UNCONFIGURED, [{ filter: '#', action: 'both' }])
    return {
      authenticator: { mode: config.auth.mode, insecure: false, verify: async () => { throw new AuthError(5, 'this hub has no salonId configured') } },
      salonId: UNCONFIGURED,
      admit: async () => { throw new AuthError(5, 'this hub has no salonId configured: set salonId to admit its devices') },
      ...closed,
      forward: () => false
    }
  }
  const salonId = effectiveSalonId(config.auth.mode, config.salonId)
  const authenticator = await createAuthenticator(config.auth, { salonId: config.salonId, registry })
  if (authenticator.insecure) {
    const open = denyOnly(salonId, config.acl.deny)
    return { authenticator, salonId, admit: async () => null, ...open }
  }
  const acl = createAcl({ salonId, roles: config.acl.roles, deny: config.acl.deny })
  const envelope = createEnvelopeChecker(config.envelope, { salonId })
  const closed = denyOnly(salonId, [{ filter: '#', action: 'both' }])
  return {
    authenticator,
    salonId,
    admit: async (credentials) => authenticator.verify(credentials),
    publish (identity, message) {
      if (identity === null) return closed.publish(identity, message)
      const decision = decidePublish(acl, envelope, identity, message)
      return decision.ok ? decision : { ok: false, reason: `${decision.cause}: ${decision.reason}` }
    },
    subscribe: (identity, filter) => identity === null ? closed.subscribe(identity, filter) : acl.subscribe(identity, filter),
    forward: (identity, topic) => identity !== null && acl.forward(identity, topic)
  }
}
