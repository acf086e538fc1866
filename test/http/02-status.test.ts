// Does /status describe the running hub: version, uptime, connected client ids, sessions, retained count, queue depths, drops and persistence state?
import t from 'tap'
import { startHub } from '../helpers/hub.js'
import { VERSION } from '../../src/lifecycle/hub.js'
import { connectClient, openSession } from '../helpers/coretests-mqtt.js'
import { getJson } from '../helpers/coretests-http.js'

interface Status {
  version: string
  uptimeSeconds: number
  ready: boolean
  ports: { mqtt: number, http: number }
  connections: number
  clients: Array<{ clientId: string, clean: boolean, remoteAddress: string | null }>
  sessions: { persistent: number, subscriptions: number }
  retained: number
  queues: { total: number, byClient: Array<{ clientId: string, messages: number, bytes: number }> }
  drops: { queueFull: number, forbiddenPublishes: number, slowReaders: number }
  persistence: { state: string, dataDir: string, fsync: boolean, batches: number, writes: number, lastError: string | null }
}

t.test('a fresh hub reports its version, readiness, ports and an empty broker', async (t) => {
  const { ports, dataDir } = await startHub(t)
  const r = await getJson<Status>(ports.http as number, '/status')
  t.equal(r.status, 200)
  t.match(r.body, {
    version: VERSION,
    ready: true,
    ports: { mqtt: ports.mqtt, http: ports.http },
    connections: 0,
    clients: [],
    sessions: { persistent: 0, subscriptions: 0 },
    retained: 0,
    queues: { total: 0, byClient: [] },
    drops: { queueFull: 0, forbiddenPublishes: 0, slowReaders: 0 },
    persistence: { state: 'ok', fsync: true, lastError: null }
  })
  t.type(r.body.uptimeSeconds, 'number')
  t.match(r.body.persistence.dataDir, /data$/, `the data directory (${dataDir})`)
})

t.test('/status lists connected clients by id, persistent sessions, retained messages, queue depths and drops', async (t) => {
  const { ports } = await startHub(t, { limits: { maxQueuedMessages: 2 } })
  const http = ports.http as number
  const offline = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: false })
  await offline.client.subscribeAsync({ 'salon/s1/#': { qos: 1 }, 'salon/s2/#': { qos: 1 } })
  await offline.client.endAsync()
  await openSession(t, { port: ports.mqtt, clientId: 'check-in', clean: true })
  const pad = await connectClient(t, ports.mqtt, { clientId: 'pad-1' })
  await pad.publishAsync('salon/s1/waitlist/current', 'w', { qos: 1, retain: true })
  await pad.publishAsync('salon/s1/turns/current', 't', { qos: 1, retain: true })
  await pad.publishAsync('salon/s1/pad/signature', 'sig', { qos: 1 })

  const s = (await getJson<Status>(http, '/status')).body
  t.same(s.clients.map((c) => c.clientId).sort(), ['check-in', 'pad-1'], 'the connected client ids')
  t.ok(s.clients.every((c) => c.remoteAddress === '127.0.0.1' || c.remoteAddress === '::ffff:127.0.0.1'), 'with their address')
  t.equal(s.connections, 2)
  t.same(s.sessions, { persistent: 1, subscriptions: 2 }, 'one persistent session with two subscriptions')
  t.equal(s.retained, 2, 'two retained messages')
  t.same(s.queues.byClient.map((q) => [q.clientId, q.messages]), [['store-app', 2]], 'the offline session holds its bound of 2')
  t.equal(s.queues.total, 2)
  t.equal(s.drops.queueFull, 1, 'three messages for a queue of two: one dropped')
  t.ok(s.persistence.batches > 0 && s.persistence.writes > 0, 'the store has written batches')
})
