import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors.js'
import { configSchema, isSection, type HubConfig, type SchemaNode } from './schema.js'
import { fromEnv, merge, presentKeys } from './sources.js'
import { validateConfig } from './validate.js'

/** The inputs of configuration, read by `main.ts` only. */
export interface ConfigInputs {
  readonly configFile: string | null
  readonly env: Readonly<Record<string, string | undefined>>
  /** The flag layer and which flag set each key (from `parseArgs`). */
  readonly flags?: { readonly layer: Record<string, unknown>, readonly sources: ReadonlyMap<string, string> }
}

function readConfigFile (file: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError([`config file ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`], { cause: err })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new ConfigError([`config file ${file} is not valid JSON: ${(err as Error).message}`], { cause: err })
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`config file ${file} must hold a JSON object`])
  }
  return parsed as Record<string, unknown>
}

/**
 * Drop the notes of an annotated file: string-valued keys starting with `//`, at any section
 * level (the format of config/mango-broker.example.json; JSON has no comments). Anything else
 * stays and is validated, so a `//` key holding a non-string is reported as unknown.
 */
function dropNotes (value: Record<string, unknown>, node: SchemaNode = configSchema): void {
  for (const [key, child] of Object.entries(value)) {
    const childNode = node.properties?.[key]
    if (key.startsWith('//') && typeof child === 'string') delete value[key]
    else if (childNode !== undefined && isSection(childNode) && child !== null && typeof child === 'object' && !Array.isArray(child)) dropNotes(child as Record<string, unknown>, childNode)
  }
}

/**
 * Build the configuration: defaults < config file < `MANGO_BROKER_*` environment < flags.
 * Every problem is reported at once, naming the key, the rule, the value and its source.
 */
export function loadConfig (inputs: ConfigInputs): HubConfig {
  const provenance = new Map<string, string>()
  let merged: Record<string, unknown> = {}
  if (inputs.configFile !== null) {
    const file = readConfigFile(inputs.configFile)
    delete file.$schema
    delete file.$comment
    dropNotes(file)
    for (const key of presentKeys(file)) provenance.set(key, `config file ${inputs.configFile}`)
    merged = merge(merged, file)
  }
  const env = fromEnv(inputs.env)
  for (const [key, source] of env.sources) provenance.set(key, source)
  merged = merge(merged, env.layer)
  if (inputs.flags !== undefined) {
    for (const [key, source] of inputs.flags.sources) provenance.set(key, source)
    merged = merge(merged, inputs.flags.layer)
  }
  const issues = [...env.unknown]
  let config: HubConfig | undefined
  try {
    config = validateConfig(merged, provenance)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    issues.push(...err.issues)
  }
  if (issues.length > 0 || config === undefined) throw new ConfigError(issues)
  return config
}
