/**
 * The envelope check as configured for one hub: on which topics it applies, and with which limit.
 */
import { type EnvelopeSection } from '../config/sections/envelope.js'
import { ConfigError } from '../errors.js'
import { type DeviceIdentity } from '../auth/types.js'
import { expandPlaceholders, templateProblem } from '../auth/placeholders.js'
import { levelsMatch } from '../auth/topic-filter.js'
import { checkEnvelope, type EnvelopeVerdict } from './check.js'

/** The configured envelope check of a hub. */
export interface EnvelopeChecker {
  /** Does the check apply to a device publish on `topic`? (false for every topic when disabled) */
  applies (topic: string): boolean
  /** Check a device publish; ok when the check does not apply to the topic. */
  check (identity: DeviceIdentity, topic: string, payload: Buffer, retain: boolean): EnvelopeVerdict
}

const OK: EnvelopeVerdict = { ok: true }

/**
 * Build the envelope check of a hub from the validated `envelope` section. Throws a `ConfigError`
 * for an invalid filter or a placeholder other than `{salonId}`.
 */
export function createEnvelopeChecker (section: EnvelopeSection, options: { readonly salonId: string }): EnvelopeChecker {
  const problems: string[] = []
  section.topics.forEach((template, i) => {
    const problem = template.includes('{deviceId}') ? 'may only use the placeholder {salonId}' : templateProblem(template)
    if (problem !== null) problems.push(`envelope.topics[${i}] ${problem} (received ${JSON.stringify(template)})`)
  })
  if (problems.length > 0) throw new ConfigError(problems)
  const filters = section.enabled
    ? section.topics.map((t) => expandPlaceholders(t, { salonId: options.salonId, deviceId: '' }).split('/'))
    : []
  const limits = { maxBytes: section.maxBytes }
  const applies = (topic: string): boolean => {
    if (filters.length === 0) return false
    const levels = topic.split('/')
    return filters.some((f) => levelsMatch(f, levels))
  }
  return {
    applies,
    check (identity, topic, payload, retain) {
      return applies(topic) ? checkEnvelope(identity, payload, retain, limits) : OK
    }
  }
}
