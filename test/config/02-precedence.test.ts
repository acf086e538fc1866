// Does each source override the one below it (defaults < file < MANGO_BROKER_* environment < flags), key by key, and is the result frozen?
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../../src/config/load.js'
import { envName } from '../../src/config/sources.js'
import { parseArgs } from '../../src/cli/args.js'

const KEY = 'limits.maxConnections'
const ENV = envName(KEY)

t.test('the environment variable of a key is derived from its path', async (t) => {
  t.equal(ENV, 'MANGO_BROKER_LIMITS_MAX_CONNECTIONS')
  t.equal(envName('dataDir'), 'MANGO_BROKER_DATA_DIR')
  t.equal(envName('tls.cert'), 'MANGO_BROKER_TLS_CERT')
})

t.test('one key set at all four levels takes the value of the highest one present', async (t) => {
  const file = join(t.testdir(), 'hub.json')
  writeFileSync(file, JSON.stringify({ limits: { maxConnections: 60 } }))
  const env = { [ENV]: '70' }
  const flags = parseArgs(['--set', `${KEY}=80`])
  t.equal(loadConfig({ configFile: null, env: {} }).limits.maxConnections, 50, 'default: 50')
  t.equal(loadConfig({ configFile: file, env: {} }).limits.maxConnections, 60, 'file over default')
  t.equal(loadConfig({ configFile: file, env }).limits.maxConnections, 70, 'environment over file')
  t.equal(loadConfig({ configFile: file, env, flags }).limits.maxConnections, 80, 'flag over environment')
  t.equal(loadConfig({ configFile: null, env: {}, flags }).limits.maxConnections, 80, 'flag over default')
  t.equal(loadConfig({ configFile: file, env: {}, flags }).limits.maxConnections, 80, 'flag over file')
})

t.test('the named flags and their environment variables follow the same order', async (t) => {
  const file = join(t.testdir(), 'hub.json')
  writeFileSync(file, JSON.stringify({ dataDir: '/from/file', mqtt: { port: 1001 } }))
  const env = { MANGO_BROKER_DATA_DIR: '/from/env', MANGO_BROKER_MQTT_PORT: '1002' }
  const both = loadConfig({ configFile: file, env, flags: parseArgs(['--data-dir', '/from/flag', '--mqtt-port', '1003']) })
  t.equal(both.dataDir, '/from/flag')
  t.equal(both.mqtt.port, 1003)
  const noFlags = loadConfig({ configFile: file, env })
  t.equal(noFlags.dataDir, '/from/env')
  t.equal(noFlags.mqtt.port, 1002)
})

t.test('sources merge key by key: a section set in the file keeps the keys another source does not touch', async (t) => {
  const file = join(t.testdir(), 'hub.json')
  writeFileSync(file, JSON.stringify({ mqtt: { host: '127.0.0.1' }, limits: { maxPacketSize: 2048 } }))
  const config = loadConfig({ configFile: file, env: { MANGO_BROKER_MQTT_PORT: '1884' }, flags: parseArgs(['--set', 'limits.maxConnections=7']) })
  t.same(config.mqtt, { host: '127.0.0.1', port: 1884 })
  t.match(config.limits, { maxPacketSize: 2048, maxConnections: 7, maxQueuedMessages: 10000 }, 'the untouched key keeps its default')
})

t.test('environment and flag text is parsed to the type of the key', async (t) => {
  const config = loadConfig({
    configFile: null,
    env: { MANGO_BROKER_STORE_FSYNC: 'false', MANGO_BROKER_WS_PORT: 'null', MANGO_BROKER_TLS_CERT: '/etc/hub.crt' },
    flags: parseArgs(['--set', 'limits.queueFullPolicy=drop-new', '--http-port', 'null'])
  })
  t.equal(config.store.fsync, false, 'boolean')
  t.equal(config.ws.port, null, 'null for a nullable port')
  t.equal(config.tls.cert, '/etc/hub.crt', 'string')
  t.equal(config.limits.queueFullPolicy, 'drop-new', 'enum')
  t.equal(config.http.port, null, 'null from a flag')
})

t.test('an empty environment variable of a nullable key means null, and MANGO_BROKER_ variables are the only ones read', async (t) => {
  const config = loadConfig({ configFile: null, env: { MANGO_BROKER_SALON_ID: '', PORT: '9999', MQTT_PORT: '1' } })
  t.equal(config.salonId, null)
  t.equal(config.mqtt.port, 1883)
})

t.test('the loaded configuration is frozen, sections included', async (t) => {
  const config = loadConfig({ configFile: null, env: {} })
  t.ok(Object.isFrozen(config), 'the root')
  t.ok(Object.isFrozen(config.limits) && Object.isFrozen(config.mqtt), 'the sections')
  t.throws(() => { (config.limits as { maxConnections: number }).maxConnections = 1 }, TypeError, 'an assignment throws')
  t.equal(config.limits.maxConnections, 50, 'and changes nothing')
})
