// Inside the real hub, when the cloud refuses the link (wrong CA, wrong password, a refused subscription), does the hub's /status say why while devices keep working and the hub stays ready?
import t from 'tap'
import { e2eHubFactory, getJson, type E2eHub } from '../helpers/e2e-hub.js'
import { scenarioLinkRefused } from '../helpers/bridge-scenarios.js'

const faults = [
  ['ca', 'a cloud certificate signed by another CA'],
  ['password', 'a wrong bridge password (CONNACK refused)'],
  ['subscription', 'a subscription the cloud refuses in SUBACK']
] as const

for (const kind of ['v5', 'v311'] as const) {
  for (const [fault, what] of faults) {
    t.test(`${kind} cloud, ${what}`, async (t) => {
      const { factory, hubs } = e2eHubFactory(t)
      const after = await scenarioLinkRefused(t, factory, kind, fault)
      const hub = hubs[0] as E2eHub
      const ready = await fetch(`http://127.0.0.1:${hub.ports.http as number}/ready`)
      t.equal(ready.status, 200, 'the hub stays ready: a refused bridge is not a hub fault')
      const status = await getJson(hub.ports.http as number, '/status')
      t.equal(status.ready, true, '/status says ready')
      const event = hub.events.filter((e) => e.component === 'bridge').at(-1)
      t.match(event, { state: 'offline', detail: { lastError: { kind: after.lastError?.kind } } }, 'the hub re-emitted the offline state with the reason')
      const offline = hub.captured.matching('bridge: offline')
      t.equal(offline.length, 1, 'one log line for the state change, not one per retry')
      t.equal(offline[0]?.level, 50, 'logged as an error: the operator must fix the configuration')
      t.notOk(hub.captured.raw.some((line) => line.includes('bridge-token-') || line.includes('wrong-password')), 'no bridge password (right or wrong) is ever logged')
    })
  }
}
