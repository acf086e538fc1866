/**
 * Which topics the bridge forwards, and in which direction. Pure: no I/O.
 */
import { ConfigError } from '../errors.js'
import { type BridgeDirection, type BridgeTopicConfig } from '../config/sections/bridge.js'

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

/** True when `filter` is a syntactically valid MQTT topic filter [MQTT-4.7.1-1] [MQTT-4.7.1-2] [MQTT-4.7.1-3]. */
export function isValidFilter (filter: string): boolean {
  if (filter.length === 0 || filter.includes('\u0000')) return false
  const levels = filter.split('/')
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return false
    if (level.includes('+') && level !== '+') return false
  }
  return true
}

/** True when `topic` (a topic name, no wildcards) matches `filter` [MQTT-4.7.1-2] [MQTT-4.7.1-3]. */
export function matchesFilter (filter: string, topic: string): boolean {
  const f = filter.split('/')
  const t = topic.split('/')
  // [MQTT-4.7.2-1] wildcards at the first level do not match topics starting with $
  if (topic.startsWith('$') && (f[0] === '#' || f[0] === '+')) return false
  for (let i = 0; i < f.length; i++) {
    const level = f[i]
    if (level === '#') return true
    if (i >= t.length) return false
    if (level !== '+' && level !== t[i]) return false
  }
  return f.length === t.length
}

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
