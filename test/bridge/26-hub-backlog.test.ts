// Inside the real hub, does a 10,000-message backlog published by a device while the cloud was down drain completely and in order once it is back?
import t from 'tap'
import { e2eHubFactory } from '../helpers/e2e-hub.js'
import { scenarioBacklog } from '../helpers/bridge-scenarios.js'

t.test('10,000 device messages acknowledged by the hub while the cloud is down all arrive, in publish order (QoS 1 pipelining)', async (t) => {
  await scenarioBacklog(t, e2eHubFactory(t).factory, 10_000)
})
