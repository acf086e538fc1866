/**
 * Generates `config/mango-broker.example.json` from the configuration schema: every key at its
 * default, each preceded by a `"//key": "description"` note (JSON has no comments; the loader
 * drops string-valued keys starting with `//`). The test in test/config checks that the shipped
 * file is what this produces, so a new or changed key cannot be forgotten here.
 *
 * Run after changing the schema:
 *   node --import=@tapjs/typescript/import scripts/gen-example-config.ts
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { configSchema, isSection, type SchemaNode } from '../src/config/schema.js'
import { envName } from '../src/config/sources.js'

/** Where the example lives, relative to the repository root. */
export const EXAMPLE_PATH = 'config/mango-broker.example.json'

const HEADER = 'mango-broker configuration with every key at its default (generated from the schema by ' +
  'scripts/gen-example-config.ts). Use it with --config FILE. Keys starting with // are notes and are ignored. ' +
  'Precedence: defaults < this file < MANGO_BROKER_* environment variables < command-line flags.'

function note (path: string, node: SchemaNode): string {
  const parts = [node.description ?? '']
  if (node.enum !== undefined) parts.push(`One of ${node.enum.map((v) => JSON.stringify(v)).join(', ')}.`)
  parts.push(`Environment: ${envName(path)}.`)
  return parts.filter((p) => p !== '').join(' ')
}

function section (node: SchemaNode, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (isSection(child)) {
      out[`//${key}`] = child.description ?? ''
      out[key] = section(child, path)
    } else {
      out[`//${key}`] = note(path, child)
      out[key] = child.default === undefined ? null : child.default
    }
  }
  return out
}

/** The annotated example configuration as the text of a JSON file. */
export function renderExample (schema: SchemaNode = configSchema): string {
  return JSON.stringify({ '//': HEADER, ...section(schema, '') }, null, 2) + '\n'
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = fileURLToPath(new URL(`../${EXAMPLE_PATH}`, import.meta.url))
  writeFileSync(target, renderExample())
  process.stdout.write(`wrote ${EXAMPLE_PATH}\n`)
}
