// Does a running hub (createHub with a registry section) keep its salon_devices row true: registered at start with the ports it really bound, moved forward by heartbeats, the same row after a restart, and offline after hub.close()?
import { join } from 'node:path'
import t from 'tap'
import { VERSION } from '../../src/lifecycle/hub.js'
import { systemAddressProvider } from '../../src/registry/index.js'
import { getJson, pollUntil, startRealHub } from '../helpers/e2e-hub.js'
import { freePort } from '../helpers/postgrest.js'
import { ADMIN_TOKEN, ADVERTISED, registrySection, rowOf, waitForRow } from '../helpers/e2e-registry.js'
import { startSupabase } from '../helpers/supabase-stack.js'

const stack = await startSupabase(t.testdir())
t.teardown(() => stack.close())

t.test('the hub registers its row at start with the ports it bound, heartbeats, and marks it offline on close', async (t) => {
  const salonId = 'salon-e2e-reg'
  const hubId = `hub-${salonId}`
  const real = await startRealHub(t, {
    salonId,
    dataDir: join(t.testdir(), 'data'),
    auth: { mode: 'devices' },
    // ws.port 0 turns WebSocket off: take a free port for it
    ws: { host: '127.0.0.1', port: await freePort() },
    admin: { token: ADMIN_TOKEN },
    registry: registrySection(stack)
  })
  const { ports } = real
  const row = await waitForRow(stack, salonId, hubId, (r) => r.is_online, 'online')
  t.match(row, {
    device_type: 'store-app',
    local_ip: ADVERTISED,
    mqtt_port: ports.mqtt,
    ws_port: ports.ws,
    tls_port: null,
    http_port: ports.http,
    is_local_hub: true,
    is_online: true,
    hub_version: VERSION
  }, 'one complete hub row with the bound MQTT, WebSocket and HTTP ports (MQTT and HTTP picked from port 0), not the configured 0')
  t.ok(ports.mqtt > 0 && ports.ws !== null && ports.ws > 0 && ports.http !== null && ports.http > 0, 'the ports are real')

  const status = await real.httpStatus()
  t.match(status.registry, { enabled: true, state: 'registered', deviceId: hubId, address: ADVERTISED, addressSource: 'override', ports: { mqtt: ports.mqtt, ws: ports.ws, tls: null, http: ports.http }, lastError: null }, 'the hub\'s /status has the registry part')
  const registration = await getJson(ports.http as number, '/registration')
  t.match(registration, { enabled: true, state: 'registered', salonId, deviceId: hubId, advertised: { address: ADVERTISED, mqttPort: ports.mqtt, wsPort: ports.ws, httpPort: ports.http }, lastHeartbeat: { ok: true } }, 'GET /registration on the hub\'s HTTP server shows what is registered')
  t.notOk(JSON.stringify(status).includes(stack.serviceKey) || JSON.stringify(registration).includes(stack.serviceKey), 'neither /status nor /registration shows the key')
  const states = real.events.filter((e) => e.component === 'registry').map((e) => e.state)
  t.equal(states.at(-1), 'registered', `the hub re-emits the registry's states as status events (${states.join(', ')})`)
  t.match(await real.metricsText(), /mango_registry_up 1/, 'the hub\'s /metrics says the registry is up')

  const first = Date.parse(row.last_seen ?? '')
  const later = await waitForRow(stack, salonId, hubId, (r) => Date.parse(r.last_seen ?? '') > first, 'last_seen moved by a heartbeat')
  t.ok(later.is_online, 'a heartbeat keeps the row online')

  await real.close()
  const offline = await rowOf(stack, salonId, hubId)
  t.match(offline, { is_online: false, is_local_hub: true, mqtt_port: ports.mqtt }, 'hub.close() has set is_online false before it resolved')
  t.equal((await stack.rows(`salon_id = '${salonId}'`)).length, 1, 'still one row for the salon')
  t.notOk(real.captured.raw.some((l) => l.includes(stack.serviceKey)), 'the Supabase key is never logged')
})

t.test('a hub restarted on its data directory puts the same row back online with the ports of the new run', async (t) => {
  const salonId = 'salon-e2e-restart'
  const hubId = `hub-${salonId}`
  const dataDir = join(t.testdir(), 'data')
  const config = { salonId, dataDir, registry: registrySection(stack, { heartbeatSeconds: 30 }) }
  const one = await startRealHub(t, config)
  const before = await waitForRow(stack, salonId, hubId, (r) => r.is_online && r.mqtt_port === one.ports.mqtt, 'online with the first ports')
  await one.close()
  t.match(await rowOf(stack, salonId, hubId), { is_online: false }, 'offline between the runs')
  await stack.pg.psql(`update public.salon_devices set device_name = 'Front desk' where device_id = '${hubId}'`)
  const two = await startRealHub(t, config)
  const after = await waitForRow(stack, salonId, hubId, (r) => r.is_online && r.mqtt_port === two.ports.mqtt && r.http_port === two.ports.http, 'online again with the second run\'s ports')
  t.equal(after.id, before.id, 'the same row (same primary key), not a second one')
  t.equal(after.device_name, 'Front desk', 'a column set elsewhere is not overwritten with NULL')
  t.equal((await stack.rows(`salon_id = '${salonId}'`)).length, 1, 'one row for the salon')
})

t.test('without registry.advertiseAddress the hub writes the address the system detection picks', async (t) => {
  const detected = await systemAddressProvider(null)()
  if (detected.address === null) {
    t.comment('no LAN IPv4 on this machine: detection is covered by 01-local-address')
    t.pass('nothing to compare')
    return
  }
  const salonId = 'salon-e2e-detect'
  const real = await startRealHub(t, { salonId, dataDir: join(t.testdir(), 'data'), registry: registrySection(stack, { advertiseAddress: null }) })
  const row = await waitForRow(stack, salonId, `hub-${salonId}`, (r) => r.is_online, 'online')
  t.equal(row.local_ip, detected.address, `local_ip is the detected address (${detected.address}, ${detected.source})`)
  const status = await pollUntil(real.httpStatus, (s) => (s.registry as { address: string | null }).address !== null, 'registry address in /status')
  t.match(status.registry, { address: detected.address, addressSource: detected.source }, '/status names the address and where it came from')
})

t.test('a hub without HTTP (http.port null) registers, with http_port null as for any listener that is off (the shipped SQL refuses port 0)', async (t) => {
  const salonId = 'salon-e2e-nohttp'
  const real = await startRealHub(t, { salonId, dataDir: join(t.testdir(), 'data'), http: { port: null }, registry: registrySection(stack) })
  t.equal(real.ports.http, null, 'no HTTP listener')
  const row = await waitForRow(stack, salonId, `hub-${salonId}`, (r) => r.is_online, 'online')
  t.match(row, { mqtt_port: real.ports.mqtt, ws_port: null, tls_port: null, http_port: null }, 'http_port is null, not 0')
})
