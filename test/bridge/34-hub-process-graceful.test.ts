// Does the hub process with both parts configured (bridge to the cloud, registry in Supabase; secrets from the environment) forward messages, and on SIGTERM mark itself offline on both sides before it exits 0?
import { join } from 'node:path'
import t from 'tap'
import mqtt from 'mqtt'
import { startCloud } from '../helpers/bridge-cloud.js'
import { envelope, idOf } from '../helpers/bridge-scenarios.js'
import { subscribe, under } from '../helpers/bridge-wait.js'
import { bridgePart, startHubProcess } from '../helpers/e2e-process.js'
import { ADVERTISED, rowOf, waitForRow } from '../helpers/e2e-registry.js'
import { startSupabase } from '../helpers/supabase-stack.js'

// The stack gets the file's directory of its own: PostgreSQL runs as another user, and the helper
// opens that directory (not its parents) to it.
const stack = await startSupabase(t.testdir())
t.teardown(() => stack.close())

t.test('bridge and registry in one hub process: online on both sides, offline on both after SIGTERM', async (t) => {
  const salonId = 'salon-both'
  const prefix = `salon/${salonId}/`
  const dir = t.testdir()
  const cloud = await startCloud(t, 'v5', salonId, join(dir, 'cloud'))
  const watcher = await cloud.app('watcher')
  await subscribe(watcher.client, `${prefix}#`)
  const { password, ...bridge } = cloud.bridgeSection()
  const hub = await startHubProcess(t, join(dir, 'hub'), {
    salonId,
    log: { level: 'info' },
    bridge,
    registry: { supabaseUrl: stack.url, advertiseAddress: ADVERTISED, heartbeatSeconds: 1, backoff: { initialMs: 50, maxMs: 300 } }
  }, { MANGO_BROKER_BRIDGE_PASSWORD: password as string, MANGO_BROKER_SUPABASE_KEY: stack.serviceKey })

  await hub.waitForStatus((s) => bridgePart(s).state === 'online', 'bridge online')
  await waitForRow(stack, salonId, `hub-${salonId}`, (r) => r.is_online && r.mqtt_port === hub.ports.mqtt, 'registered')
  const device = mqtt.connect({ host: '127.0.0.1', port: hub.ports.mqtt, clientId: 'device-both', protocolVersion: 4, reconnectPeriod: 0 })
  t.teardown(() => { device.end(true) })
  device.on('error', () => { /* the hub closes the connection at SIGTERM: expected */ })
  await new Promise<void>((resolve, reject) => { device.once('connect', () => { resolve() }); device.once('error', reject) })
  await device.publishAsync(`${prefix}checkin/client`, envelope('walk-in-1', salonId), { qos: 1 })
  const [up] = await watcher.seen.atLeast(1, under(`${prefix}checkin/`))
  t.equal(up === undefined ? null : idOf(up), 'walk-in-1', 'a device message reaches the cloud through the hub process')

  hub.proc.kill('SIGTERM')
  t.equal(await hub.proc.exited(15_000), 0, 'graceful exit, code 0')
  const late = await cloud.app('late-watcher')
  await subscribe(late.client, `${prefix}hub/status`)
  const [retained] = await late.seen.atLeast(1)
  t.same(retained === undefined ? null : [(JSON.parse(retained.payload) as { state: string }).state, retained.retain], ['offline', true], 'the cloud holds the hub\'s retained offline status')
  t.match(await rowOf(stack, salonId, `hub-${salonId}`), { is_online: false }, 'the Supabase row is offline before the process exited')
  const output = JSON.stringify(hub.proc.lines) + hub.proc.stderr()
  t.notOk(output.includes(password as string) || output.includes(stack.serviceKey), 'neither secret is in the output')
})
