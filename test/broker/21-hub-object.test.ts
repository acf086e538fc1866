// Does the in-process Hub object expose its live ports, broker and store (what the bridge, the registry and Electron embedding read) after start and null after close?
import t from 'tap'
import { startHub } from '../helpers/hub.js'
import { openSession } from '../helpers/coretests-mqtt.js'

t.test('hub.ports, hub.broker and hub.store are the running ones after start()', async (t) => {
  const { hub, ports } = await startHub(t)
  t.same(hub.ports, ports, 'hub.ports is what start() resolved')
  t.not(hub.broker, null, 'hub.broker is set')
  t.not(hub.store, null, 'hub.store is set')
  await openSession(t, { port: ports.mqtt, clientId: 'pad-1' })
  t.same(hub.broker?.clients().map((c) => c.clientId), ['pad-1'], 'hub.broker lists the connected client')
  t.equal(hub.store?.location, hub.status().persistence && (hub.status().persistence as { dataDir: string }).dataDir, 'hub.store is the open store')
})

t.test('hub.store is null again after close()', async (t) => {
  const { hub } = await startHub(t)
  t.not(hub.store, null)
  await hub.close()
  t.equal(hub.store, null)
})
