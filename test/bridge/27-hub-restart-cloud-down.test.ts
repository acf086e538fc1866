// When the real hub is stopped and started again on its data directory while the cloud is down, does the outbox survive and drain first, in order, when the cloud is back?
import t from 'tap'
import { e2eHubFactory } from '../helpers/e2e-hub.js'
import { scenarioRestartWhileCloudDown } from '../helpers/bridge-scenarios.js'

for (const kind of ['v5', 'v311'] as const) {
  t.test(`a hub restarted while the ${kind} cloud is down keeps its outbox and drains it when the cloud is back`, async (t) => {
    await scenarioRestartWhileCloudDown(t, e2eHubFactory(t).factory, kind)
  })
}
