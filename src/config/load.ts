import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors.js'
import { type HubConfig } from './schema.js'
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
 * Build the configuration: defaults < config file < `MANGO_BROKER_*` environment < flags.
 * Every problem is reported at once, naming the key, the rule, the value and its source.
 */
export function loadConfig (inputs: ConfigInputs): HubConfig {
  const provenance = new Map<string, string>()
  let merged: Record<string, unknown> = {}
  if (inputs.configFile !== null) {
    const file = readConfigFile(inputs.configFile)
    for (const key of presentKeys(file)) provenance.set(key, `config file ${inputs.configFile}`)
    delete file.$schema
    delete file.$comment
    merged = merge(merged, file)
  }
  const env = fromEnv(inputs.env)
  for (const [key, source] of env.sources) provenance.set(key, source)
  merged = merge(merged, env.layer)
  if (inputs.flags !== undefined) {
    for (const [key, source] of inputs.flags.sources) provenance.set(key, source)
    merged = merge(merged, inputs.flags.layer)
  }
  return validateConfig(merged, provenance)
}
