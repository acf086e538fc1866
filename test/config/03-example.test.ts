// Does the shipped example configuration hold every key of the schema at its default, with its description, and load to exactly the defaults?
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { loadConfig } from '../../src/config/load.js'
import { configSchema, isSection, leafKeys, type SchemaNode } from '../../src/config/schema.js'
import { validateConfig } from '../../src/config/validate.js'
import { EXAMPLE_PATH, renderExample } from '../../scripts/gen-example-config.js'

const example = fileURLToPath(new URL(`../../${EXAMPLE_PATH}`, import.meta.url))

t.test('every key and section of the schema has a description and a default', async (t) => {
  const missing: string[] = []
  const walk = (node: SchemaNode, prefix: string): void => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const path = prefix === '' ? key : `${prefix}.${key}`
      if (typeof child.description !== 'string' || child.description.trim() === '') missing.push(`${path}: description`)
      if (!('default' in child)) missing.push(`${path}: default`)
      if (isSection(child)) walk(child, path)
    }
  }
  walk(configSchema, '')
  t.same(missing, [], 'nothing missing')
  t.ok(leafKeys().length >= 20, `${leafKeys().length} keys checked`)
})

t.test('the defaults alone form a valid configuration', async (t) => {
  t.doesNotThrow(() => validateConfig({}))
})

t.test(`${EXAMPLE_PATH} is exactly what scripts/gen-example-config.ts generates from the schema`, async (t) => {
  t.equal(readFileSync(example, 'utf8'), renderExample(), 'regenerate it with: node --import=@tapjs/typescript/import scripts/gen-example-config.ts')
})

t.test('the example has a note before every key, naming its environment variable', async (t) => {
  const parsed = JSON.parse(readFileSync(example, 'utf8')) as Record<string, unknown>
  for (const { path } of leafKeys()) {
    const parts = path.split('.')
    const key = parts.pop() as string
    let section: Record<string, unknown> = parsed
    for (const p of parts) section = section[p] as Record<string, unknown>
    t.ok(key in section, `${path} is present`)
    t.match(section[`//${key}`], /Environment: MANGO_BROKER_[A-Z0-9_]+\.$/, `${path} has its note`)
  }
})

t.test('the example loads to exactly the defaults', async (t) => {
  t.same(loadConfig({ configFile: example, env: {} }), validateConfig({}))
})

t.test('a copy of the example with one value changed loads with that change only', async (t) => {
  const edited = JSON.parse(readFileSync(example, 'utf8')) as { limits: Record<string, unknown> }
  edited.limits.maxConnections = 80
  const path = `${t.testdir()}/edited.json`
  writeFileSync(path, JSON.stringify(edited, null, 2))
  const config = loadConfig({ configFile: path, env: {} })
  t.equal(config.limits.maxConnections, 80)
  t.same({ ...config, limits: { ...config.limits, maxConnections: 50 } }, validateConfig({}), 'everything else at its default')
})
