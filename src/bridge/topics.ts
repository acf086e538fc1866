/**
 * Which topics the bridge forwards, and in which direction. Pure: no I/O.
 */
import { ConfigError } from '../errors.js'
import { type BridgeDirection, type BridgeTopicConfig } from '../config/sections/bridge.js'
import { isValidFilter, topicMatches as matchesFilter } from '../auth/topic-filter.js'

/** A forwarded filter with `{salonId}` replaced and checked to stay inside the salon. */
export interface TopicRule {
  readonly filter: string
  readonly direction: BridgeDirection
  readonly qos: 0 | 1
}

/** The topic prefix every forwarded topic must start with. */
export function salonPrefix (salonId: string): string {
  return `salon/${salonId}/`
}

/**
 * The hub status topic. The hub owns it locally and the bridge owns it on the cloud (birth and will),
 * so the bridge never forwards it in either direction.
 */
export function hubStatusTopic (salonId: string): string {
  return `salon/${salonId}/hub/status`
}

// Topic syntax and matching are the ACL's (one implementation for the whole hub).
export { isValidFilter, topicMatches as matchesFilter } from '../auth/topic-filter.js'

/** A salonId is used as one topic level; it cannot be empty or hold separators or wildcards. */
export function isValidSalonId (salonId: string): boolean {
  return salonId.length > 0 && !/[/+#\u0000]/.test(salonId)
}

/**
 * Replace `{salonId}` in every configured filter and check each one: valid MQTT filter syntax,
 * and inside `salon/{salonId}/` so that only the hub's own salon is forwarded.
 * Throws a `ConfigError` naming every offending key at once.
 */
export function resolveTopicRules (topics: readonly BridgeTopicConfig[], salonId: string): TopicRule[] {
  const issues: string[] = []
  if (!isValidSalonId(salonId)) {
    issues.push(`salonId must be one non-empty topic level without '/', '+' or '#' (received ${JSON.stringify(salonId)})`)
    throw new ConfigError(issues)
  }
  const prefix = salonPrefix(salonId)
  const rules: TopicRule[] = []
  topics.forEach((topic, i) => {
    const filter = topic.filter.replaceAll('{salonId}', salonId)
    const key = `bridge.topics[${i}].filter`
    if (!isValidFilter(filter)) {
      issues.push(`${key} must be a valid MQTT topic filter ('#' only as the last level, '+' as a whole level) (received ${JSON.stringify(topic.filter)})`)
    } else if (!filter.startsWith(prefix) || filter.length === prefix.length) {
      issues.push(`${key} must stay inside '${prefix}' (received ${JSON.stringify(topic.filter)})`)
    } else {
      rules.push({ filter, direction: topic.direction, qos: topic.qos })
    }
  })
  if (issues.length > 0) throw new ConfigError(issues)
  return rules
}

/** Filters forwarded from the hub to the cloud. */
export function outFilters (rules: readonly TopicRule[]): string[] {
  return unique(rules.filter((r) => r.direction !== 'in').map((r) => r.filter))
}

/** Filters subscribed on the cloud, each at the highest QoS configured for it. */
export function inSubscriptions (rules: readonly TopicRule[]): Array<{ filter: string, qos: 0 | 1 }> {
  const byFilter = new Map<string, 0 | 1>()
  for (const rule of rules) {
    if (rule.direction === 'out') continue
    const previous = byFilter.get(rule.filter)
    byFilter.set(rule.filter, previous === 1 ? 1 : rule.qos)
  }
  return [...byFilter].map(([filter, qos]) => ({ filter, qos }))
}

/**
 * The QoS a topic is forwarded at in one direction: the highest QoS among the matching rules,
 * capped by the message's own QoS; `null` when no rule of that direction matches.
 */
export function forwardQos (rules: readonly TopicRule[], direction: 'in' | 'out', topic: string, messageQos: 0 | 1 | 2): 0 | 1 | null {
  let best: 0 | 1 | null = null
  for (const rule of rules) {
    if (rule.direction !== direction && rule.direction !== 'both') continue
    if (!matchesFilter(rule.filter, topic)) continue
    if (best === null || rule.qos > best) best = rule.qos
  }
  if (best === null) return null
  return messageQos === 0 ? 0 : best
}

function unique (values: string[]): string[] {
  return [...new Set(values)]
}
