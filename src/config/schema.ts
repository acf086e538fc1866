import { coreProperties, type CoreConfig } from './sections/core.js'

/**
 * The hub's whole configuration schema: the single source of truth for keys, defaults,
 * descriptions and rules. Parts add their section here.
 */
export const configSchema = {
  $id: 'mango-broker/config',
  type: 'object',
  additionalProperties: false,
  properties: {
    ...coreProperties
  }
} as const

/** The validated, frozen configuration of a hub. */
export type HubConfig = CoreConfig

/** A JSON Schema node as this module reads it (enough to walk the tree). */
export interface SchemaNode {
  readonly type?: string | readonly string[]
  readonly properties?: Readonly<Record<string, SchemaNode>>
  readonly default?: unknown
  readonly description?: string
  readonly enum?: readonly unknown[]
}

/** True when the node is a section whose keys are configured one by one (not a value such as a list). */
export function isSection (node: SchemaNode): boolean {
  return node.properties !== undefined && (node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object')))
}

/** Every leaf key of the schema as a dotted path with its node, in schema order. */
export function leafKeys (node: SchemaNode = configSchema, prefix = ''): Array<{ path: string, node: SchemaNode }> {
  const out: Array<{ path: string, node: SchemaNode }> = []
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (isSection(child)) out.push(...leafKeys(child, path))
    else out.push({ path, node: child })
  }
  return out
}
