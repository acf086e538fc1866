/**
 * The salon ACL: pure decisions on publish, subscribe and delivery for an authenticated identity.
 * Order of every decision: identity of this hub's salon → valid topic/filter → salon isolation →
 * deny rules → role table. Salon isolation holds whatever the role table says.
 */
import { type AclDenyRule, type AclRoles } from '../config/sections/acl.js'
import { ConfigError } from '../errors.js'
import { aclProblems, compileRules, rememberForward, type CompiledFilter, type IdentityRules } from './acl-rules.js'
import { isValidIdentity, quote } from './ids.js'
import { isOtherSalonTopic, pinToSalon } from './salon-scope.js'
import { filtersOverlap, filterWithin, isValidFilter, isValidTopic, levelsMatch } from './topic-filter.js'
import { type DeviceIdentity } from './types.js'

/** The outcome of a publish decision. */
export type PublishVerdict = { readonly ok: true } | { readonly ok: false, readonly reason: string }

/** The outcome of a subscribe decision: the filter to subscribe (maybe narrowed to the device's salon) or a refusal. */
export type SubscribeVerdict = { readonly ok: true, readonly filter: string } | { readonly ok: false, readonly reason: string }

/** What `createAcl` needs: the hub's salon and the validated `acl` section. */
export interface AclOptions {
  readonly salonId: string
  readonly roles: AclRoles
  readonly deny: readonly AclDenyRule[]
}

/** ACL decisions for one hub. */
export interface Acl {
  /** May `identity` publish to `topic`? */
  publish (identity: DeviceIdentity, topic: string): PublishVerdict
  /** May `identity` subscribe to `filter`, and with which (possibly narrowed) filter? */
  subscribe (identity: DeviceIdentity, filter: string): SubscribeVerdict
  /** May `identity` receive a message on `topic`? Used on every delivery, including offline-queue replay. */
  forward (identity: DeviceIdentity, topic: string): boolean
}

/** Identities compiled at once; beyond this the oldest is dropped (compiling again is cheap). */
const RULES_CACHE_SIZE = 1024

function matchAny (filters: readonly CompiledFilter[], levels: readonly string[]): CompiledFilter | undefined {
  return filters.find((f) => levelsMatch(f.levels, levels))
}

/**
 * Build the ACL of a hub. Throws a `ConfigError` listing every problem of the role table and deny
 * rules (unknown placeholder, invalid filter) and of `salonId`.
 */
export function createAcl (options: AclOptions): Acl {
  const { salonId, roles, deny } = options
  const problems = aclProblems(salonId, roles, deny)
  if (problems.length > 0) throw new ConfigError(problems)
  const rulesCache = new Map<string, IdentityRules | null>()

  /** The compiled rules of an identity, or null when it is malformed or of another salon. */
  function rulesOf (identity: DeviceIdentity): IdentityRules | null {
    const key = `${identity.salonId}/${identity.deviceType}/${identity.deviceId}`
    const cached = rulesCache.get(key)
    if (cached !== undefined) return cached
    const rules = isValidIdentity(identity) && identity.salonId === salonId ? compileRules(identity, roles, deny) : null
    if (rulesCache.size >= RULES_CACHE_SIZE) {
      const oldest = rulesCache.keys().next()
      if (oldest.done !== true) rulesCache.delete(oldest.value)
    }
    rulesCache.set(key, rules)
    return rules
  }

  function foreign (identity: DeviceIdentity): string {
    return isValidIdentity(identity)
      ? `device of salon ${quote(identity.salonId)} is not served by this hub (salon ${quote(salonId)})`
      : 'malformed device identity'
  }

  return {
    publish (identity, topic) {
      const rules = rulesOf(identity)
      if (rules === null) return { ok: false, reason: foreign(identity) }
      if (!isValidTopic(topic)) return { ok: false, reason: `${quote(topic)} is not a valid topic name` }
      const levels = topic.split('/')
      if (topic.startsWith('$')) return { ok: false, reason: 'topics starting with "$" are reserved for the hub' }
      if (isOtherSalonTopic(levels, salonId)) {
        return { ok: false, reason: `${quote(topic)} belongs to salon ${quote(levels[1])}, not to this device's salon ${quote(salonId)}` }
      }
      if (levels[0] === 'salon' && levels[2] === 'hub') return { ok: false, reason: `salon/${salonId}/hub/… is reserved for the hub` }
      const denied = matchAny(rules.denyPublish, levels)
      if (denied !== undefined) return { ok: false, reason: `${quote(topic)} is denied by acl.deny filter ${quote(denied.text)}` }
      if (matchAny(rules.publish, levels) === undefined) {
        return { ok: false, reason: `a ${identity.deviceType} may not publish to ${quote(topic)}` }
      }
      return { ok: true }
    },

    subscribe (identity, filter) {
      const rules = rulesOf(identity)
      if (rules === null) return { ok: false, reason: foreign(identity) }
      if (!isValidFilter(filter)) return { ok: false, reason: `${quote(filter)} is not a valid topic filter` }
      const pinned = pinToSalon(filter.split('/'), salonId)
      if (pinned.kind === 'other-salon') {
        return { ok: false, reason: `${quote(filter)} reaches salon ${quote(pinned.salon)}, not this device's salon ${quote(salonId)}` }
      }
      const effective = pinned.kind === 'narrowed' ? pinned.filter : filter
      if (!rules.subscribe.some((allowed) => filterWithin(effective, allowed.text))) {
        const narrowed = effective === filter ? '' : ` (narrowed to ${quote(effective)})`
        return { ok: false, reason: `a ${identity.deviceType} may not subscribe to ${quote(filter)}${narrowed}` }
      }
      const denied = rules.denySubscribe.find((d) => filtersOverlap(effective, d.text))
      if (denied !== undefined) return { ok: false, reason: `${quote(filter)} overlaps acl.deny filter ${quote(denied.text)}` }
      return { ok: true, filter: effective }
    },

    forward (identity, topic) {
      const rules = rulesOf(identity)
      if (rules === null) return false
      const cached = rules.forwardCache.get(topic)
      if (cached !== undefined) return cached
      const levels = topic.split('/')
      const allowed = !isOtherSalonTopic(levels, salonId) &&
        matchAny(rules.denySubscribe, levels) === undefined &&
        matchAny(rules.subscribe, levels) !== undefined
      return rememberForward(rules, topic, allowed)
    }
  }
}
