// Does a 10,000-message backlog built while the cloud was down drain completely and in order once it is back?
import t from 'tap'
import { localHubFactory } from '../helpers/bridge-harness.js'
import { scenarioBacklog } from '../helpers/bridge-scenarios.js'

t.test('10,000 messages queued while the cloud is down all arrive, in publish order (QoS 1 pipelining)', async (t) => {
  await scenarioBacklog(t, localHubFactory, 10_000)
})
