// When the cloud or the hub is away for a while, does every message still arrive exactly once and in order once both are back?
import t from 'tap'
import { localHubFactory } from '../helpers/bridge-harness.js'
import { scenarioCloudOutage, scenarioCloudQueuesWhileHubAway, scenarioNoRetainedReplay } from '../helpers/bridge-scenarios.js'

for (const kind of ['v5', 'v311'] as const) {
  t.test(`device messages published while the ${kind} cloud is stopped reach it once, in order, when it is back`, async (t) => {
    await scenarioCloudOutage(t, localHubFactory, kind)
  })

  t.test(`cloud messages published while the hub is away are queued by the ${kind} cloud for its persistent session and reach devices in order`, async (t) => {
    await scenarioCloudQueuesWhileHubAway(t, localHubFactory, kind)
  })

  t.test(`reconnecting to the ${kind} cloud does not replay its retained messages to devices`, async (t) => {
    await scenarioNoRetainedReplay(t, localHubFactory, kind)
  })
}
