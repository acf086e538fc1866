/**
 * The role table and deny rules compiled for one identity: placeholders expanded and filters
 * split into levels once, so every later decision is a few array comparisons.
 */
import { type AclDenyRule, type AclRoles } from '../config/sections/acl.js'
import { isValidId } from './ids.js'
import { expandPlaceholders, templateProblem } from './placeholders.js'
import { DEVICE_TYPES, type DeviceIdentity } from './types.js'

/** A filter ready for matching. */
export interface CompiledFilter {
  readonly text: string
  readonly levels: readonly string[]
}

/** Everything the ACL needs to decide for one identity. */
export interface IdentityRules {
  readonly identity: DeviceIdentity
  readonly publish: readonly CompiledFilter[]
  readonly subscribe: readonly CompiledFilter[]
  readonly denyPublish: readonly CompiledFilter[]
  readonly denySubscribe: readonly CompiledFilter[]
  /** Topic → may this identity receive it; bounded, see {@link rememberForward}. */
  readonly forwardCache: Map<string, boolean>
}

function compile (template: string, identity: DeviceIdentity): CompiledFilter {
  const text = expandPlaceholders(template, identity)
  return { text, levels: text.split('/') }
}

/** Expand a role and the deny rules for one identity (whose ids are already validated). */
export function compileRules (identity: DeviceIdentity, roles: AclRoles, deny: readonly AclDenyRule[]): IdentityRules {
  const role = roles[identity.deviceType]
  return {
    identity,
    publish: role.publish.map((f) => compile(f, identity)),
    subscribe: role.subscribe.map((f) => compile(f, identity)),
    denyPublish: deny.filter((r) => r.action !== 'subscribe').map((r) => compile(r.filter, identity)),
    denySubscribe: deny.filter((r) => r.action !== 'publish').map((r) => compile(r.filter, identity)),
    forwardCache: new Map()
  }
}

/** Topics remembered per identity by `forward`; the cache is emptied when full (topics such as ticket ids are unbounded). */
export const FORWARD_CACHE_SIZE = 512

/** Remember a forward decision for one identity. */
export function rememberForward (rules: IdentityRules, topic: string, allowed: boolean): boolean {
  if (rules.forwardCache.size >= FORWARD_CACHE_SIZE) rules.forwardCache.clear()
  rules.forwardCache.set(topic, allowed)
  return allowed
}

/**
 * Every problem in an ACL configuration, each naming its key (`acl.roles.mango-pad.publish[0]`),
 * the rule and the value; empty when the configuration is usable.
 */
export function aclProblems (salonId: string, roles: AclRoles, deny: readonly AclDenyRule[]): string[] {
  const problems: string[] = []
  if (!isValidId(salonId)) problems.push(`salonId must be 1 to 64 letters, digits, "_" or "-" (received ${JSON.stringify(salonId)})`)
  for (const type of DEVICE_TYPES) {
    const role = roles[type] as AclRoles[typeof type] | undefined
    if (role === undefined) {
      problems.push(`acl.roles.${type} is required`)
      continue
    }
    for (const action of ['publish', 'subscribe'] as const) {
      role[action].forEach((template, i) => {
        const problem = templateProblem(template)
        if (problem !== null) problems.push(`acl.roles.${type}.${action}[${i}] ${problem} (received ${JSON.stringify(template)})`)
      })
    }
  }
  deny.forEach((rule, i) => {
    const problem = templateProblem(rule.filter)
    if (problem !== null) problems.push(`acl.deny[${i}].filter ${problem} (received ${JSON.stringify(rule.filter)})`)
  })
  return problems
}
