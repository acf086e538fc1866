import { isValidFilter } from './topic-filter.js'

/** The placeholders a role or envelope filter may use. */
export const PLACEHOLDERS = ['salonId', 'deviceId'] as const

/** Values for the placeholders; ids are already validated (no `/`, `+`, `#`). */
export interface PlaceholderValues {
  readonly salonId: string
  readonly deviceId: string
}

const PLACEHOLDER = /\{([^{}]*)\}/g

/** Replace `{salonId}` and `{deviceId}` in a filter template. Unknown placeholders are left as they are. */
export function expandPlaceholders (template: string, values: PlaceholderValues): string {
  return template.replace(PLACEHOLDER, (whole: string, name: string) => {
    if (name === 'salonId') return values.salonId
    if (name === 'deviceId') return values.deviceId
    return whole
  })
}

/**
 * What is wrong with a filter template, or null: an unknown placeholder, a stray brace, or a
 * filter that is not a valid MQTT filter once expanded.
 */
export function templateProblem (template: string): string | null {
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? ''
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      return `uses unknown placeholder {${name}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`
    }
  }
  const expanded = expandPlaceholders(template, { salonId: 's', deviceId: 'd' })
  if (expanded.includes('{') || expanded.includes('}')) return 'has an unbalanced { or }'
  if (!isValidFilter(expanded)) return 'is not a valid MQTT topic filter'
  return null
}
