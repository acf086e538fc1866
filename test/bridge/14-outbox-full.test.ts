// When the outbox is full, does the documented policy apply, is it visible in the status, and is it logged once per burst rather than per message?
import t from 'tap'
import { startLocalBridgeHub, type HubFactory, type LocalBridgeHub } from '../helpers/bridge-harness.js'
import { scenarioOutboxFull } from '../helpers/bridge-scenarios.js'

for (const whenFull of ['drop-oldest', 'refuse-new'] as const) {
  t.test(`whenFull ${whenFull}`, async (t) => {
    const hubs: LocalBridgeHub[] = []
    const factory: HubFactory = async (start) => {
      const hub = await startLocalBridgeHub(start)
      hubs.push(hub)
      return hub
    }
    await scenarioOutboxFull(t, factory, whenFull)
    const hub = hubs[0] as LocalBridgeHub
    t.equal(hub.captured.matching('bridge: outbox dropping').length, 1, 'one warning line for the whole drop burst, not one per message')
    const ended = hub.captured.matching('bridge: outbox drop burst ended')
    t.equal(ended.length, 1, 'one summary line when the burst ends')
    t.equal(ended[0]?.total, 3, 'the summary counts the dropped messages')
    t.match(hub.metrics.render(), /mango_bridge_messages_dropped_total\{reason="full"\} 3/, 'the drops are in /metrics by reason')
  })
}
