// Do /health and /ready tell a supervisor the truth: alive, ready once started, and 503 with a reason when the store fails?
import t from 'tap'
import { startHub } from '../helpers/hub.js'
import { openSession } from '../helpers/coretests-mqtt.js'
import { get, getJson, metrics, sample } from '../helpers/coretests-http.js'

t.test('/health answers 200 {"status":"ok"}', async (t) => {
  const { ports } = await startHub(t)
  const r = await getJson(ports.http as number, '/health')
  t.equal(r.status, 200)
  t.same(r.body, { status: 'ok' })
})

t.test('/ready answers 200 with no reasons once the store is open and the listeners are bound', async (t) => {
  const { ports } = await startHub(t)
  const r = await getJson(ports.http as number, '/ready')
  t.equal(r.status, 200)
  t.same(r.body, { ready: true, reasons: [] })
})

t.test('an unknown path answers 404', async (t) => {
  const { ports } = await startHub(t)
  const r = await get(ports.http as number, '/nope')
  t.equal(r.status, 404)
})

t.test('/ready answers 503 naming the store failure once LevelDB writes fail, and /status and /metrics show it', async (t) => {
  const { hub, ports } = await startHub(t)
  const http = ports.http as number
  // LevelDB closed under the running hub: every write now fails as a dead disk would
  await hub.store?.db.close()
  const pad = await openSession(t, { port: ports.mqtt, clientId: 'pad-1' })
  pad.client.publish('salon/s1/waitlist/current', 'x', { qos: 1, retain: true })
  await pad.closed(5000)
  t.pass('the publish was not acknowledged: the hub closed the connection')
  const r = await getJson<{ ready: boolean, reasons: string[] }>(http, '/ready')
  t.equal(r.status, 503)
  t.equal(r.body.ready, false)
  t.match(r.body.reasons, [/^store writes failing: /])
  const status = (await getJson<{ persistence: { state: string, lastError: string | null } }>(http, '/status')).body
  t.equal(status.persistence.state, 'failing')
  t.type(status.persistence.lastError, 'string')
  const m = await metrics(http)
  t.equal(sample(m.samples, 'mango_store_failing'), 1, 'mango_store_failing 1')
  t.ok((sample(m.samples, 'mango_store_errors_total') ?? 0) >= 1, 'mango_store_errors_total counts the failed write')
})
