import { Ajv, type ErrorObject } from 'ajv'
import { ConfigError } from '../errors.js'
import { configSchema, type HubConfig } from './schema.js'

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true })
const check = ajv.compile(configSchema)

/** Where each key's value came from, for error messages (`limits.maxConnections (from MANGO_BROKER_…)`). */
export type Provenance = ReadonlyMap<string, string>

function keyOf (error: ErrorObject): string {
  const path = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (error.keyword === 'additionalProperties') {
    path.push(String((error.params as { additionalProperty: string }).additionalProperty))
  }
  if (error.keyword === 'required') {
    path.push(String((error.params as { missingProperty: string }).missingProperty))
  }
  return path.join('.')
}

function valueAt (root: unknown, key: string): unknown {
  let node: unknown = root
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[part]
  }
  return node
}

function describe (error: ErrorObject): string {
  const p = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties': return 'is not a known key'
    case 'required': return 'is required'
    case 'type': return `must be ${String(p.type).replace(/,/g, ' or ')}`
    case 'enum': return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    case 'minimum': return `must be >= ${String(p.limit)}`
    case 'maximum': return `must be <= ${String(p.limit)}`
    case 'minLength': return `must be at least ${String(p.limit)} characters long`
    case 'pattern': return `must match ${String(p.pattern)}`
    default: return error.message ?? error.keyword
  }
}

function freeze<T> (value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) freeze(child)
    Object.freeze(value)
  }
  return value
}

/**
 * Validate a merged configuration object: fills defaults, rejects unknown keys, reports every
 * problem at once (key, rule, value received, and where it came from), and returns it frozen.
 */
export function validateConfig (input: unknown, provenance: Provenance = new Map()): HubConfig {
  const candidate = structuredClone(input ?? {})
  if (check(candidate)) return freeze(candidate as unknown as HubConfig)
  const seen = new Set<string>()
  const issues: string[] = []
  for (const error of check.errors ?? []) {
    const key = keyOf(error)
    const source = provenance.get(key)
    const received = error.keyword === 'required' ? '' : ` (received ${JSON.stringify(valueAt(candidate, key))})`
    const line = `${key === '' ? '(root)' : key}${source === undefined ? '' : ` from ${source}`} ${describe(error)}${received}`
    if (!seen.has(line)) {
      seen.add(line)
      issues.push(line)
    }
  }
  throw new ConfigError(issues)
}
