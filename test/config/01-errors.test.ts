// Does a bad configuration fail with every problem at once, each naming the key, the rule, the value received and where it came from?
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { loadConfig } from '../../src/config/load.js'
import { validateConfig } from '../../src/config/validate.js'
import { parseArgs } from '../../src/cli/args.js'
import { ConfigError } from '../../src/errors.js'

/** The issues of the ConfigError `fn` throws (fails the test if it throws anything else or nothing). */
function issuesOf (t: Test, fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    t.type(err, ConfigError, 'a ConfigError')
    return [...(err as ConfigError).issues]
  }
  t.fail('no error was thrown')
  return []
}

function file (t: Test, content: unknown, name = 'hub.json'): string {
  const path = join(t.testdir(), name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

t.test('problems from the file, the environment and the flags are all reported in one error', async (t) => {
  const path = file(t, { mqtt: { port: 'abc' }, limits: { maxConnections: 0 } })
  const flags = parseArgs(['--http-port', '70000', '--set', 'shutdown.timeoutMs=5'])
  const issues = issuesOf(t, () => loadConfig({ configFile: path, env: { MANGO_BROKER_LOG_LEVEL: 'loud' }, flags }))
  t.same(issues.sort(), [
    `http.port from --http-port must be <= 65535 (received 70000)`,
    `limits.maxConnections from config file ${path} must be >= 1 (received 0)`,
    `log.level from MANGO_BROKER_LOG_LEVEL must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (received "loud")`,
    `mqtt.port from config file ${path} must be integer (received "abc")`,
    `shutdown.timeoutMs from --set shutdown.timeoutMs must be >= 100 (received 5)`
  ].sort(), 'five problems: key, source, rule and value in each')
})

t.test('the error message lists every problem on its own line', async (t) => {
  const err = (() => { try { validateConfig({ mqtt: { port: -1 }, ws: { path: 'mqtt' } }) } catch (e) { return e as Error } return null })()
  t.match(err?.message, /^invalid configuration:\n {2}- mqtt\.port must be >= 0 \(received -1\)\n {2}- ws\.path must match \^\/ \(received "mqtt"\)$/)
})

t.test('unknown keys are rejected at the top level and inside sections, with their source', async (t) => {
  const path = file(t, { dataDirectory: './x', mqtt: { prot: 1883 }, limits: { maxConnection: 3 } })
  const issues = issuesOf(t, () => loadConfig({ configFile: path, env: {} }))
  t.same(issues.sort(), [
    `dataDirectory from config file ${path} is not a known key (received "./x")`,
    `limits.maxConnection from config file ${path} is not a known key (received 3)`,
    `mqtt.prot from config file ${path} is not a known key (received 1883)`
  ])
})

t.test('an unknown MANGO_BROKER_ variable is rejected by name', async (t) => {
  const issues = issuesOf(t, () => loadConfig({ configFile: null, env: { MANGO_BROKER_MQTT_PROT: '1883', HOME: '/root', MQTT_PORT: '1' } }))
  t.equal(issues.length, 1, 'only the MANGO_BROKER_ variable is a problem; other variables are not the hub\'s')
  t.match(issues[0], /^MANGO_BROKER_MQTT_PROT is not a known setting/)
})

t.test('an unknown MANGO_BROKER_ variable is reported together with the file\'s problems', async (t) => {
  const path = file(t, { mqtt: { port: 'abc' } })
  const issues = issuesOf(t, () => loadConfig({ configFile: path, env: { MANGO_BROKER_MQTT_PROT: '1883' } }))
  t.equal(issues.length, 2, `both problems in one error: ${JSON.stringify(issues)}`)
  t.ok(issues.some((i) => i.startsWith('MANGO_BROKER_MQTT_PROT is not a known setting')), 'the unknown variable')
  t.ok(issues.some((i) => i.startsWith(`mqtt.port from config file ${path} must be integer`)), 'the file\'s bad value')
})

t.test('an unknown key given with --set is rejected by name', async (t) => {
  const issues = issuesOf(t, () => parseArgs(['--set', 'mqtt.prot=1883', '--set', 'novalue']))
  t.same(issues, ['--set mqtt.prot=1883: "mqtt.prot" is not a known key', '--set novalue: expected KEY=VALUE'])
})

t.test('a file that is not valid JSON is reported with its path and the parser\'s reason', async (t) => {
  const path = file(t, '{ "mqtt": { "port": 1883, } }', 'broken.json')
  const issues = issuesOf(t, () => loadConfig({ configFile: path, env: {} }))
  t.equal(issues.length, 1)
  t.match(issues[0], `config file ${path} is not valid JSON: `)
})

t.test('a file holding JSON that is not an object is reported', async (t) => {
  const path = file(t, '[1, 2]', 'array.json')
  t.same(issuesOf(t, () => loadConfig({ configFile: path, env: {} })), [`config file ${path} must hold a JSON object`])
})

t.test('a missing file is reported with its path and the system error code', async (t) => {
  const path = join(t.testdir(), 'nowhere.json')
  t.same(issuesOf(t, () => loadConfig({ configFile: path, env: {} })), [`config file ${path} cannot be read: ENOENT`])
})

t.test('a //-note key is ignored only when it holds a string', async (t) => {
  const ok = file(t, { '//': 'top note', mqtt: { '//port': 'the port', port: 1884 } }, 'notes.json')
  t.equal(loadConfig({ configFile: ok, env: {} }).mqtt.port, 1884, 'string notes are dropped at any level')
  const bad = file(t, { mqtt: { '//port': 1 } }, 'bad-note.json')
  t.same(issuesOf(t, () => loadConfig({ configFile: bad, env: {} })), [`mqtt.//port from config file ${bad} is not a known key (received 1)`], 'a non-string // key is an unknown key')
})
