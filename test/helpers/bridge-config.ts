/**
 * A validated `BridgeConfig` for tests, made the way the hub makes it: the section schema run
 * through ajv with defaults (same ajv options as the hub's loader), so tests also exercise the schema.
 */
import { Ajv } from 'ajv'
import { bridgeSection, type BridgeConfig } from '../../src/config/sections/bridge.js'

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true })
// Compiled as a property, as in the hub schema (ajv ignores a default at the schema root).
const check = ajv.compile({ type: 'object', additionalProperties: false, properties: { bridge: bridgeSection } })

/** Validate `input` (a partial bridge section); throws with ajv's messages when invalid. */
export function bridgeConfig (input: unknown = {}): BridgeConfig {
  const candidate = { bridge: structuredClone(input) }
  if (check(candidate)) return candidate.bridge as unknown as BridgeConfig
  throw new Error(`invalid bridge section: ${ajv.errorsText(check.errors)}`)
}

/** The errors ajv reports for `input`, as `path message` strings (empty when valid). */
export function bridgeConfigErrors (input: unknown): string[] {
  const candidate = { bridge: structuredClone(input) }
  if (check(candidate)) return []
  return (check.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? e.keyword}`)
}
