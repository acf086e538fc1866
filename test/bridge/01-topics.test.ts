// Does the bridge forward only its own salon's topics, matching filters the way MQTT does?
import t from 'tap'
import { ConfigError } from '../../src/errors.js'
import { forwardQos, hubStatusTopic, inSubscriptions, isValidFilter, matchesFilter, outFilters, resolveTopicRules } from '../../src/bridge/topics.js'

t.test('filters match topics as MQTT says', async (t) => {
  t.ok(matchesFilter('salon/a/#', 'salon/a/tickets/created'), '# matches any number of levels [MQTT-4.7.1-2]')
  t.ok(matchesFilter('salon/a/#', 'salon/a'), '# also matches the parent level [MQTT-4.7.1-2]')
  t.ok(matchesFilter('salon/a/+/created', 'salon/a/tickets/created'), '+ matches exactly one level [MQTT-4.7.1-3]')
  t.notOk(matchesFilter('salon/a/+/created', 'salon/a/tickets/x/created'), '+ does not match two levels')
  t.notOk(matchesFilter('salon/a/+', 'salon/a'), '+ does not match a missing level')
  t.notOk(matchesFilter('salon/a/#', 'salon/b/tickets'), 'another salon does not match')
  t.notOk(matchesFilter('#', '$SYS/broker'), 'a leading wildcard does not match $ topics [MQTT-4.7.2-1]')
  t.ok(matchesFilter('salon/a/tickets', 'salon/a/tickets'), 'a filter without wildcards matches itself')
})

t.test('filter syntax is checked', async (t) => {
  t.ok(isValidFilter('salon/a/#'), 'trailing # is valid')
  t.notOk(isValidFilter('salon/#/a'), '# must be last [MQTT-4.7.1-2]')
  t.notOk(isValidFilter('salon/a#'), '# must be a whole level')
  t.notOk(isValidFilter('salon/a+/b'), '+ must be a whole level [MQTT-4.7.1-3]')
  t.notOk(isValidFilter(''), 'an empty filter is invalid [MQTT-4.7.3-1]')
})

t.test('{salonId} is replaced and filters must stay inside salon/{salonId}/', async (t) => {
  const rules = resolveTopicRules([{ filter: 'salon/{salonId}/#', direction: 'both', qos: 1 }], 'abc')
  t.same(rules, [{ filter: 'salon/abc/#', direction: 'both', qos: 1 }], 'the default filter becomes salon/abc/#')
  const err = t.throws(() => resolveTopicRules([
    { filter: 'salon/#', direction: 'both', qos: 1 },
    { filter: 'salon/+/tickets', direction: 'in', qos: 1 },
    { filter: 'salon/other/#', direction: 'out', qos: 0 },
    { filter: 'salon/{salonId}', direction: 'out', qos: 0 },
    { filter: 'salon/{salonId}/#/x', direction: 'out', qos: 0 }
  ], 'abc'))
  t.ok(err instanceof ConfigError, 'a ConfigError')
  const issues = (err as ConfigError).issues
  t.equal(issues.length, 5, 'every bad filter is reported at once')
  t.match(issues[0], /^bridge\.topics\[0\]\.filter must stay inside 'salon\/abc\/' \(received "salon\/#"\)$/, 'the issue names the key, the rule and the value')
  t.match(issues[4], /bridge\.topics\[4\]\.filter must be a valid MQTT topic filter/, 'bad syntax is named')
  t.throws(() => resolveTopicRules([], 'a/b'), ConfigError, 'a salonId with / is refused')
  t.throws(() => resolveTopicRules([], ''), ConfigError, 'an empty salonId is refused')
})

t.test('directions and QoS', async (t) => {
  const rules = resolveTopicRules([
    { filter: 'salon/{salonId}/#', direction: 'out', qos: 0 },
    { filter: 'salon/{salonId}/pad/#', direction: 'both', qos: 1 },
    { filter: 'salon/{salonId}/bookings/#', direction: 'in', qos: 1 },
    { filter: 'salon/{salonId}/bookings/#', direction: 'in', qos: 0 }
  ], 'abc')
  t.same(outFilters(rules), ['salon/abc/#', 'salon/abc/pad/#'], 'out and both filters go to the sink')
  t.same(inSubscriptions(rules), [{ filter: 'salon/abc/pad/#', qos: 1 }, { filter: 'salon/abc/bookings/#', qos: 1 }],
    'in and both filters are subscribed once each, at their highest QoS')
  t.equal(forwardQos(rules, 'out', 'salon/abc/pad/signature', 1), 1, 'the highest QoS among matching out rules')
  t.equal(forwardQos(rules, 'out', 'salon/abc/tickets/x', 1), 0, 'a QoS 0 rule forwards at QoS 0')
  t.equal(forwardQos(rules, 'out', 'salon/abc/pad/signature', 0), 0, 'a QoS 0 message stays QoS 0')
  t.equal(forwardQos(rules, 'out', 'salon/abc/pad/signature', 2), 1, 'QoS 2 is carried at QoS 1 on the link')
  t.equal(forwardQos(rules, 'in', 'salon/abc/tickets/x', 1), null, 'no in rule: not forwarded in')
  t.equal(hubStatusTopic('abc'), 'salon/abc/hub/status', 'the hub status topic')
})
