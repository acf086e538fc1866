// Inside the real hub, with devices and cloud clients both subscribed to salon/{id}/#, does any message echo back or arrive twice?
import t from 'tap'
import { e2eHubFactory } from '../helpers/e2e-hub.js'
import { scenarioNoEcho } from '../helpers/bridge-scenarios.js'

t.test('MQTT 5 cloud: No Local on the cloud subscription, duplicates dropped by envelope id', async (t) => {
  await scenarioNoEcho(t, e2eHubFactory(t).factory, 'v5')
})

t.test('MQTT 3.1.1 cloud: the cloud echoes the hub\'s publishes and they are dropped by envelope id', async (t) => {
  await scenarioNoEcho(t, e2eHubFactory(t).factory, 'v311')
})
