// When the cloud refuses the link (wrong CA, wrong password, a refused subscription), does the status say why, does the bridge retry without crashing, and do devices keep working locally?
import t from 'tap'
import { startLocalBridgeHub, type HubFactory, type LocalBridgeHub } from '../helpers/bridge-harness.js'
import { scenarioLinkRefused } from '../helpers/bridge-scenarios.js'
import { waitUntil } from '../helpers/bridge-wait.js'

const faults = [
  ['ca', 'a cloud certificate signed by another CA'],
  ['password', 'a wrong bridge password (CONNACK refused)'],
  ['subscription', 'a subscription the cloud refuses in SUBACK']
] as const

for (const kind of ['v5', 'v311'] as const) {
  for (const [fault, what] of faults) {
    t.test(`${kind} cloud, ${what}`, async (t) => {
      const hubs: LocalBridgeHub[] = []
      const factory: HubFactory = async (start) => {
        const hub = await startLocalBridgeHub(start)
        hubs.push(hub)
        return hub
      }
      await scenarioLinkRefused(t, factory, kind, fault)
      const hub = hubs[0] as LocalBridgeHub
      const kindOf = { ca: 'tls', password: 'auth', subscription: 'subscription' }[fault]
      const failures = hub.metrics.counter('mango_bridge_link_failures_total', '')
      await waitUntil(() => failures.get({ kind: kindOf }) >= 3, 'three refused attempts')
      t.pass('the bridge keeps retrying, with backoff, without crashing')
      const offline = hub.captured.matching('bridge: offline')
      t.equal(offline.length, 1, 'one log line for the state change, not one per retry')
      t.equal(offline[0]?.level, 50, 'logged as an error: the operator must fix the configuration')
      t.notOk(hub.captured.raw.some((line) => line.includes('bridge-token-')), 'the bridge password is never logged')
    })
  }
}
