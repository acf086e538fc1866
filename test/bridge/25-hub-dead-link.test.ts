// Inside the real hub, is a cloud that keeps the socket open but answers nothing detected by keepalive, and does the cloud mark the hub offline with the will?
import t from 'tap'
import { e2eHubFactory } from '../helpers/e2e-hub.js'
import { scenarioDeadLink } from '../helpers/bridge-scenarios.js'

t.test('a frozen MQTT 5 cloud is detected by keepalive and the hub\'s bridge comes back online after it thaws', async (t) => {
  await scenarioDeadLink(t, e2eHubFactory(t).factory, 'v5')
})
