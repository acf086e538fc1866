// Does the bridge configuration section give every key a default and a description, default to off, and refuse bad values with all errors at once?
import t from 'tap'
import { bridgeSection } from '../../src/config/sections/bridge.js'
import { bridgeConfig, bridgeConfigErrors } from '../helpers/bridge-config.js'

interface Node { type?: unknown, properties?: Record<string, Node>, items?: Node, default?: unknown, description?: string }

function keys (node: Node, path: string, out: Array<{ path: string, node: Node }>): void {
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    out.push({ path: `${path}.${name}`, node: child })
    keys(child, `${path}.${name}`, out)
    if (child.items !== undefined) keys(child.items, `${path}.${name}[]`, out)
  }
}

t.test('every key has a default and a description', async (t) => {
  const all: Array<{ path: string, node: Node }> = []
  keys(bridgeSection as unknown as Node, 'bridge', all)
  t.ok(all.length >= 20, `${all.length} keys`)
  for (const { path, node } of all) {
    t.ok(Object.hasOwn(node, 'default'), `${path} has a default`)
    t.ok(typeof node.description === 'string' && node.description.length > 10, `${path} has a description`)
  }
})

t.test('defaults: the bridge is off and forwards salon/{salonId}/# both ways at QoS 1', async (t) => {
  const c = bridgeConfig({})
  t.equal(c.url, null, 'url null = off')
  t.same(c.topics, [{ filter: 'salon/{salonId}/#', direction: 'both', qos: 1 }], 'default topics')
  t.equal(c.rejectUnauthorized, true, 'certificates are verified by default')
  t.same(c.backoff, { initialMs: 1000, maxMs: 60000 }, 'backoff defaults')
  t.same(c.outbox, { maxMessages: 100000, maxBytes: 67108864, maxAgeSeconds: 604800, whenFull: 'drop-oldest' }, 'outbox defaults')
  t.equal(c.inflight, 100, 'inflight window')
  t.same(bridgeConfig({ topics: [{ direction: 'in' }] }).topics, [{ filter: 'salon/{salonId}/#', direction: 'in', qos: 1 }], 'topic item defaults')
})

t.test('bad values are refused, all at once', async (t) => {
  const errors = bridgeConfigErrors({
    url: 'http://cloud',
    topics: [{ filter: 'salon/{salonId}/#', direction: 'sideways', qos: 2 }],
    outbox: { whenFull: 'explode', maxMessages: 0 },
    keepalive: 0,
    colour: 'blue'
  })
  t.ok(errors.some((e) => e.includes('/bridge/url') && e.includes('pattern')), 'a non-MQTT url')
  t.ok(errors.some((e) => e.includes('/bridge/topics/0/direction')), 'an unknown direction')
  t.ok(errors.some((e) => e.includes('/bridge/topics/0/qos')), 'QoS 2 on the link')
  t.ok(errors.some((e) => e.includes('/bridge/outbox/whenFull')), 'an unknown full policy')
  t.ok(errors.some((e) => e.includes('/bridge/outbox/maxMessages')), 'an empty outbox bound')
  t.ok(errors.some((e) => e.includes('/bridge/keepalive')), 'keepalive 0 (dead links would go unnoticed)')
  t.ok(errors.some((e) => e.includes('additional properties')), 'an unknown key')
  t.same(bridgeConfigErrors({ url: 'mqtts://user:pw@cloud:8883' }).length > 0, true, 'credentials inside the url are refused (they belong in username/password)')
  t.same(bridgeConfigErrors({ url: 'mqtts://mqtt.example.com:8883' }), [], 'an mqtts url is accepted')
})
