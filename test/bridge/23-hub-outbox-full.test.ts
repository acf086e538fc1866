// Inside the real hub, when the bridge outbox is full, does the documented policy apply, and is it visible in the hub's /status and /metrics and logged once per burst?
import t from 'tap'
import { e2eHubFactory, type E2eHub } from '../helpers/e2e-hub.js'
import { scenarioOutboxFull } from '../helpers/bridge-scenarios.js'

for (const whenFull of ['drop-oldest', 'refuse-new'] as const) {
  t.test(`whenFull ${whenFull}`, async (t) => {
    const { factory, hubs } = e2eHubFactory(t)
    const after = await scenarioOutboxFull(t, factory, whenFull)
    t.same(after.outbox.whenFull, whenFull, 'the policy in force is named in /status')
    const hub = hubs[0] as E2eHub
    t.match(await hub.metricsText(), /mango_bridge_messages_dropped_total\{reason="full"\} 3/, 'the hub\'s /metrics counts the 3 drops by reason')
    t.equal(hub.captured.matching('bridge: outbox dropping').length, 1, 'one warning line for the whole drop burst, not one per message')
    const ended = hub.captured.matching('bridge: outbox drop burst ended')
    t.equal(ended.length, 1, 'one summary line when the burst ends')
    t.equal(ended[0]?.total, 3, 'the summary counts the dropped messages')
    const fromEvents = hub.events.filter((e) => e.component === 'bridge').map((e) => e.state)
    t.same(fromEvents.slice(0, 3), ['connecting', 'online', 'offline'], 'the hub re-emits the bridge\'s state changes as status events')
  })
}
