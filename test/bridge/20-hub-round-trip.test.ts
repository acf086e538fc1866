// Inside the real hub (bridge wired from the config, devices on the hub's listener), does a message go device → cloud and cloud → device at QoS 1, with retained messages kept retained, against an MQTT 5 and an MQTT 3.1.1 cloud?
import t from 'tap'
import { e2eHubFactory } from '../helpers/e2e-hub.js'
import { scenarioRoundTrip } from '../helpers/bridge-scenarios.js'

t.test('against an MQTT 5 cloud (Mosquitto 2.0)', async (t) => {
  await scenarioRoundTrip(t, e2eHubFactory(t).factory, 'v5')
})

t.test('against an MQTT 3.1.1 cloud (Mosquitto behind a front that refuses protocol level 5)', async (t) => {
  await scenarioRoundTrip(t, e2eHubFactory(t).factory, 'v311')
})
