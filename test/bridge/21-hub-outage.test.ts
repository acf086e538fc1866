// Inside the real hub, when the cloud or the hub is away for a while, does every message still arrive exactly once and in order once both are back, without a replay of the cloud's retained messages?
import t from 'tap'
import { e2eHubFactory } from '../helpers/e2e-hub.js'
import { scenarioCloudOutage, scenarioCloudQueuesWhileHubAway, scenarioNoRetainedReplay } from '../helpers/bridge-scenarios.js'

for (const kind of ['v5', 'v311'] as const) {
  t.test(`device messages published to the hub while the ${kind} cloud is stopped reach it once, in order, when it is back`, async (t) => {
    await scenarioCloudOutage(t, e2eHubFactory(t).factory, kind)
  })

  t.test(`cloud messages published while the hub is stopped are queued by the ${kind} cloud for the hub's persistent session and reach devices in order`, async (t) => {
    await scenarioCloudQueuesWhileHubAway(t, e2eHubFactory(t).factory, kind)
  })

  t.test(`the hub reconnecting to the ${kind} cloud does not replay its retained messages to devices`, async (t) => {
    await scenarioNoRetainedReplay(t, e2eHubFactory(t).factory, kind)
  })
}
