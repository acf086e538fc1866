import { isSection, leafKeys, type SchemaNode, configSchema } from './schema.js'

/** Environment variables that are not the plain `MANGO_BROKER_<PATH>` form of a key. */
const ENV_ALIASES: Readonly<Record<string, string>> = {
  MANGO_BROKER_SUPABASE_KEY: 'registry.supabaseKey',
  MANGO_BROKER_DATA_DIR: 'dataDir',
  MANGO_BROKER_SALON_ID: 'salonId'
}

/** `limits.maxConnections` → `MANGO_BROKER_LIMITS_MAX_CONNECTIONS`. */
export function envName (path: string): string {
  return 'MANGO_BROKER_' + path.split('.').map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')
}

function types (node: SchemaNode): readonly string[] {
  if (node.type === undefined) return []
  return typeof node.type === 'string' ? [node.type] : node.type
}

/** Turn an environment or flag string into the JSON value the schema expects; invalid text is kept as a string so validation names it. */
export function parseScalar (text: string, node: SchemaNode): unknown {
  const t = types(node)
  if (t.includes('null') && (text === 'null' || text === '')) return null
  if ((t.includes('integer') || t.includes('number')) && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text)
  if (t.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true'
  if (t.includes('array') || t.includes('object')) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

/** Set `value` at a dotted path, creating sections on the way. */
export function setPath (target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.')
  let node = target
  for (const part of parts.slice(0, -1)) {
    const next = node[part]
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[part] = {}
    node = node[part] as Record<string, unknown>
  }
  node[parts[parts.length - 1] as string] = value
}

/** Deep merge of plain objects; arrays and scalars from `over` replace. */
export function merge (base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(over)) {
    const current = out[key]
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object' && !Array.isArray(current)) {
      out[key] = merge(current as Record<string, unknown>, value as Record<string, unknown>)
    } else {
      out[key] = value
    }
  }
  return out
}

/** Every dotted key present in a config object (for provenance). */
export function presentKeys (value: unknown, prefix = '', node: SchemaNode = configSchema): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return prefix === '' ? [] : [prefix]
  const out: string[] = []
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    const childNode = node.properties?.[key]
    if (childNode !== undefined && isSection(childNode)) out.push(...presentKeys(child, path, childNode))
    else out.push(path)
  }
  return out
}

/**
 * The configuration layer given by `MANGO_BROKER_*` variables, which variable set each key, and
 * the variables that name no key (returned, not thrown, so they are reported with every other problem).
 */
export function fromEnv (env: Readonly<Record<string, string | undefined>>): { layer: Record<string, unknown>, sources: Map<string, string>, unknown: string[] } {
  const layer: Record<string, unknown> = {}
  const sources = new Map<string, string>()
  const byName = new Map<string, { path: string, node: SchemaNode }>()
  for (const leaf of leafKeys()) byName.set(envName(leaf.path), leaf)
  for (const [alias, path] of Object.entries(ENV_ALIASES)) {
    const leaf = leafKeys().find((l) => l.path === path)
    if (leaf !== undefined) byName.set(alias, leaf)
  }
  const unknown: string[] = []
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith('MANGO_BROKER_') || text === undefined) continue
    const leaf = byName.get(name)
    if (leaf === undefined) {
      unknown.push(`${name} is not a known setting (see config/mango-broker.example.json for the keys)`)
      continue
    }
    setPath(layer, leaf.path, parseScalar(text, leaf.node))
    sources.set(leaf.path, name)
  }
  return { layer, sources, unknown }
}
