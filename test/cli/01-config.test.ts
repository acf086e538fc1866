// Does the command line exit 2 with every configuration problem on stderr, and answer --help, --version and `config check|print` without starting a hub?
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { VERSION } from '../../src/lifecycle/hub.js'
import { runCli } from '../helpers/coretests-cli.js'

t.test('--config with an invalid file exits 2 and prints every problem on stderr, nothing on stdout', async (t) => {
  const bad = join(t.testdir(), 'bad.json')
  writeFileSync(bad, JSON.stringify({ mqtt: { port: 'abc' }, limits: { maxConnections: 0 }, colour: 'blue' }))
  const run = await runCli(['--config', bad])
  t.equal(run.code, 2, 'exit code 2: configuration')
  t.equal(run.stdout, '', 'no log line: the hub did not start')
  t.match(run.stderr, /^mango-broker: invalid configuration:\n/)
  t.match(run.stderr, `  - mqtt.port from config file ${bad} must be integer (received "abc")\n`)
  t.match(run.stderr, `  - limits.maxConnections from config file ${bad} must be >= 1 (received 0)\n`)
  t.match(run.stderr, `  - colour from config file ${bad} is not a known key (received "blue")\n`)
  t.match(run.stderr, /run mango-broker --help for usage/)
})

t.test('a config file that is not JSON exits 2 naming the file', async (t) => {
  const bad = join(t.testdir(), 'broken.json')
  writeFileSync(bad, '{ "mqtt": ')
  const run = await runCli(['--config', bad])
  t.equal(run.code, 2)
  t.match(run.stderr, `config file ${bad} is not valid JSON`)
})

t.test('problems from environment variables and flags exit 2 together', async (t) => {
  const run = await runCli(['--mqtt-port', '99999'], { MANGO_BROKER_LOG_LEVEL: 'chatty', MANGO_BROKER_NOPE: '1' })
  t.equal(run.code, 2)
  t.match(run.stderr, 'mqtt.port from --mqtt-port must be <= 65535 (received 99999)')
  t.match(run.stderr, 'log.level from MANGO_BROKER_LOG_LEVEL must be one of')
  t.match(run.stderr, 'MANGO_BROKER_NOPE is not a known setting')
})

t.test('an unknown argument exits 2 naming it', async (t) => {
  const run = await runCli(['--no-such-flag'])
  t.equal(run.code, 2)
  t.match(run.stderr, 'unknown argument "--no-such-flag"')
})

t.test('--help exits 0 with the usage on stdout', async (t) => {
  for (const flag of ['--help', '-h']) {
    const run = await runCli([flag])
    t.equal(run.code, 0, `${flag} exits 0`)
    t.match(run.stdout, /^Usage: mango-broker/)
    t.match(run.stdout, 'Precedence: defaults < config file < MANGO_BROKER_* environment < flags.')
    t.equal(run.stderr, '')
  }
})

t.test('--version exits 0 with the package version', async (t) => {
  const run = await runCli(['--version'])
  t.equal(run.code, 0)
  t.equal(run.stdout, `${VERSION}\n`)
})

t.test('config check exits 0 for a valid configuration and 2 for an invalid one, without starting', async (t) => {
  const dir = t.testdir()
  const good = join(dir, 'good.json')
  writeFileSync(good, JSON.stringify({ mqtt: { port: 1884 } }))
  const ok = await runCli(['config', 'check', '--config', good, '--data-dir', join(dir, 'never-created')])
  t.equal(ok.code, 0)
  t.equal(ok.stdout, 'configuration is valid\n')
  const bad = await runCli(['config', 'check', '--config', good], { MANGO_BROKER_MQTT_PORT: '-5' })
  t.equal(bad.code, 2)
  t.match(bad.stderr, 'mqtt.port from MANGO_BROKER_MQTT_PORT must be >= 0 (received -5)')
  t.notOk(existsSync(join(dir, 'never-created')), 'no data directory was created')
  const noSub = await runCli(['config'])
  t.equal(noSub.code, 2, 'config without check or print is a usage error')
})

t.test('config print shows the merged configuration as JSON, each source applied', async (t) => {
  const file = join(t.testdir(), 'hub.json')
  writeFileSync(file, JSON.stringify({ '//mqtt': 'a note', mqtt: { host: '127.0.0.1' }, limits: { maxConnections: 60 } }))
  const run = await runCli(['config', 'print', '--config', file, '--set', 'limits.maxPacketSize=2048'], { MANGO_BROKER_LIMITS_MAX_CONNECTIONS: '70' })
  t.equal(run.code, 0)
  const printed = JSON.parse(run.stdout) as { mqtt: { host: string, port: number }, limits: { maxConnections: number, maxPacketSize: number } }
  t.same(printed.mqtt, { host: '127.0.0.1', port: 1883 }, 'file value and default')
  t.equal(printed.limits.maxConnections, 70, 'environment over file')
  t.equal(printed.limits.maxPacketSize, 2048, 'flag')
})
