// Is a cloud that keeps the socket open but answers nothing detected by keepalive, and does the cloud mark the hub offline with the will?
import t from 'tap'
import { localHubFactory } from '../helpers/bridge-harness.js'
import { scenarioDeadLink } from '../helpers/bridge-scenarios.js'

t.test('a frozen MQTT 5 cloud is detected by keepalive and the bridge comes back online after it thaws', async (t) => {
  await scenarioDeadLink(t, localHubFactory, 'v5')
})
