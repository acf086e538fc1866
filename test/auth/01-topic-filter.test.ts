// Do topic matching, filter validity, subsumption and overlap follow the MQTT 3.1.1 rules, including $ topics?
import t from 'tap'
import { filterWithin, filtersOverlap, intersectFilters, isValidFilter, isValidTopic, topicMatches } from '../../src/auth/topic-filter.js'

t.test('a filter matches topics level by level with + for one level and # for the rest [MQTT-4.7.1-2] [MQTT-4.7.1-3]', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['salon/a/pad/signature', 'salon/a/pad/signature', true],
    ['salon/a/pad/signature', 'salon/a/pad/signatures', false],
    ['salon/+/pad/signature', 'salon/a/pad/signature', true],
    ['salon/+/pad/signature', 'salon/a/b/pad/signature', false],
    ['salon/+', 'salon/', true],
    ['salon/#', 'salon', true],
    ['salon/#', 'salon/a/b/c', true],
    ['salon/a/#', 'salon/b/x', false],
    ['#', 'anything/at/all', true],
    ['+/+', 'a/b', true],
    ['+/+', 'a/b/c', false],
    ['+', '/x', false],
    ['+/x', '/x', true],
    ['salon/a', 'salon/a/b', false]
  ]
  for (const [filter, topic, expected] of cases) {
    t.equal(topicMatches(filter, topic), expected, `${filter} ${expected ? 'matches' : 'does not match'} ${topic}`)
  }
})

t.test('a filter starting with a wildcard does not match a topic starting with $ [MQTT-4.7.2-1]', async (t) => {
  t.notOk(topicMatches('#', '$SYS/broker/uptime'))
  t.notOk(topicMatches('+/broker/uptime', '$SYS/broker/uptime'))
  t.ok(topicMatches('$SYS/#', '$SYS/broker/uptime'))
  t.ok(topicMatches('$SYS/+/uptime', '$SYS/broker/uptime'))
})

t.test('# is valid only alone as the last level and + only alone in a level [MQTT-4.7.1-2] [MQTT-4.7.1-3]', async (t) => {
  for (const ok of ['#', '+', 'a/#', '+/+/#', 'a/+/b', '/', '$SYS/#']) t.ok(isValidFilter(ok), `${ok} is valid`)
  for (const bad of ['', 'a#', 'a/#/b', 'a/b#', 'a+/b', 'a/+b', '#/a', 'a\u0000b']) t.notOk(isValidFilter(bad), `${JSON.stringify(bad)} is invalid`)
})

t.test('a topic name holds no wildcard and is not empty [MQTT-3.3.2-2] [MQTT-4.7.3-1]', async (t) => {
  t.ok(isValidTopic('salon/a/pad/signature'))
  for (const bad of ['', 'salon/+/x', 'salon/#', 'a\u0000b', 'x'.repeat(65536)]) t.notOk(isValidTopic(bad), `${JSON.stringify(bad.slice(0, 10))} is invalid`)
})

t.test('filterWithin tells whether every topic of one filter is matched by another', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['salon/a/pad/signature', 'salon/a/#', true],
    ['salon/a/+/#', 'salon/a/#', true],
    ['salon/a', 'salon/a/#', true],
    ['salon/a/#', 'salon/a/#', true],
    ['salon/a/#', 'salon/a/+/#', false],
    ['salon/+/#', 'salon/a/#', false],
    ['#', 'salon/#', false],
    ['salon/a/tickets/+/status', 'salon/a/tickets/#', true],
    ['salon/a/tickets/+/status', 'salon/a/tickets/+/status', true],
    ['salon/a/tickets/x/status', 'salon/a/tickets/+/status', true],
    ['salon/a/tickets/+/status', 'salon/a/tickets/x/status', false],
    ['salon/a/waitlist', 'salon/a/waitlist/+', false],
    ['$SYS/x', '#', false],
    ['$SYS/x', '+/x', false],
    ['$SYS/#', '$SYS/#', true],
    ['+/x', '+/x', true]
  ]
  for (const [inner, outer, expected] of cases) {
    t.equal(filterWithin(inner, outer), expected, `${inner} ${expected ? 'is' : 'is not'} within ${outer}`)
  }
})

t.test('intersectFilters gives the one filter matched by both, or null', async (t) => {
  const cases: Array<[string, string, string | null]> = [
    ['#', 'salon/a/#', 'salon/a/#'],
    ['salon/+/+/#', 'salon/a/#', 'salon/a/+/#'],
    ['salon/a/#', 'salon/b/#', null],
    ['salon/a', 'salon/a/#', 'salon/a'],
    ['salon/+', 'salon', null],
    ['#', '$SYS/#', null],
    ['+/+/receipts/ready', 'salon/a/receipts/+', 'salon/a/receipts/ready']
  ]
  for (const [a, b, expected] of cases) {
    t.equal(intersectFilters(a, b), expected, `${a} ∩ ${b} = ${String(expected)}`)
    t.equal(filtersOverlap(b, a), expected !== null, `${b} ${expected === null ? 'does not overlap' : 'overlaps'} ${a}`)
  }
})
