// Do the hub's state changes (here the cloud bridge failing to reach its broker) reach the Store App as status events of the supervisor?
import { join } from 'node:path'
import t from 'tap'
import { type HubStatusInfo } from '../../src/supervisor/index.js'
import { freePort, supervisedHub } from '../helpers/embedding-hub.js'
import { until } from '../helpers/wait.js'

t.test('a bridge that cannot reach the cloud is reported as status events of component "bridge", with the reason in detail', async (t) => {
  const closed = await freePort()
  const { supervisor } = supervisedHub(t, join(t.testdir(), 'data'), { extra: ['--set', `bridge.url=mqtt://127.0.0.1:${closed}`] })
  const statuses: HubStatusInfo[] = []
  supervisor.on('status', (s) => { statuses.push(s) })
  await supervisor.start()
  await until(() => statuses.some((s) => s.component === 'bridge' && s.state === 'offline'), 15000, 'a bridge offline status')
  const offline = statuses.find((s) => s.component === 'bridge' && s.state === 'offline')
  t.match(offline, { component: 'bridge', state: 'offline', detail: { lastError: { message: /ECONNREFUSED|refused|connect/i } } }, 'offline, saying why')
  t.ok(statuses.every((s) => typeof s.component === 'string' && typeof s.state === 'string'), `every status is well formed: ${JSON.stringify(statuses.map((s) => `${s.component}:${s.state}`))}`)
  t.match((await supervisor.stop()).exit, { code: 0 })
})
