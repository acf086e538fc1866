import { aclSection, type AclSection } from './sections/acl.js'
import { adminSection, type AdminConfig } from './sections/admin.js'
import { authSection, type AuthSection } from './sections/auth.js'
import { bridgeSection, type BridgeConfig } from './sections/bridge.js'
import { coreProperties, type CoreConfig } from './sections/core.js'
import { envelopeSection, type EnvelopeSection } from './sections/envelope.js'
import { registrySection, type RegistryConfig } from './sections/registry.js'

/**
 * The hub's whole configuration schema: the single source of truth for keys, defaults,
 * descriptions and rules. Parts add their section here.
 */
export const configSchema = {
  $id: 'mango-broker/config',
  type: 'object',
  additionalProperties: false,
  properties: {
    ...coreProperties,
    auth: authSection,
    acl: aclSection,
    envelope: envelopeSection,
    admin: adminSection,
    bridge: bridgeSection,
    registry: registrySection
  }
} as const

/** The validated, frozen configuration of a hub. */
export interface HubConfig extends CoreConfig {
  readonly auth: AuthSection
  readonly acl: AclSection
  readonly envelope: EnvelopeSection
  readonly admin: AdminConfig
  readonly bridge: BridgeConfig
  readonly registry: RegistryConfig
}

/** A JSON Schema node as this module reads it (enough to walk the tree). */
export interface SchemaNode {
  readonly type?: string | readonly string[]
  readonly properties?: Readonly<Record<string, SchemaNode>>
  readonly default?: unknown
  readonly description?: string
  readonly enum?: readonly unknown[]
}

/**
 * True when the node is a section whose keys are configured one by one (not a value such as a
 * list). An object keyed by names that cannot be environment variables (the role table, keyed by
 * device types such as `mango-pad`) is one value: `MANGO_BROKER_ACL_ROLES` takes it as JSON.
 */
export function isSection (node: SchemaNode): boolean {
  return node.properties !== undefined &&
    (node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'))) &&
    Object.keys(node.properties).every((k) => /^[A-Za-z][A-Za-z0-9]*$/.test(k))
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
