// Do deny rules apply to everyone on publish, subscribe and delivery, and are bad role tables refused at start-up with every problem named?
import { readFileSync } from 'node:fs'
import t from 'tap'
import { createAcl } from '../../src/auth/acl.js'
import { DEVICE_TYPES } from '../../src/auth/types.js'
import { DEFAULT_ACL_ROLES, aclSection } from '../../src/config/sections/acl.js'
import { ConfigError } from '../../src/errors.js'
import { OWN, defaultAcl, device } from '../helpers/auth-fixtures.js'

t.test('the shipped config/acl-roles.json is the schema default, role by role', async (t) => {
  const shipped: unknown = JSON.parse(readFileSync(new URL('../../config/acl-roles.json', import.meta.url), 'utf8'))
  t.same(shipped, DEFAULT_ACL_ROLES)
  t.same(aclSection.properties.roles.default, shipped)
  for (const type of DEVICE_TYPES) t.same(aclSection.properties.roles.properties[type].default, (shipped as Record<string, unknown>)[type], type)
})

t.test('a publish deny rule refuses publishing for every role but not receiving', async (t) => {
  const acl = defaultAcl([{ filter: 'salon/{salonId}/payments/#', action: 'publish' }])
  const topic = `salon/${OWN}/payments/completed`
  t.match(acl.publish(device('store-app'), topic), { ok: false, reason: /denied by acl\.deny filter "salon\/salon-a\/payments\/#"/ })
  t.equal(acl.forward(device('store-app'), topic), true, 'the store app still receives payments published by the hub or the bridge')
  t.same(acl.subscribe(device('store-app'), topic), { ok: true, filter: topic })
})

t.test('a subscribe deny rule refuses overlapping subscriptions and every delivery on the denied topics', async (t) => {
  const acl = defaultAcl([{ filter: 'salon/+/payments/#', action: 'subscribe' }])
  const storeApp = device('store-app')
  const topic = `salon/${OWN}/payments/completed`
  t.match(acl.subscribe(storeApp, topic), { ok: false, reason: /overlaps acl\.deny filter/ }, 'the exact topic is refused')
  t.equal(acl.subscribe(storeApp, `salon/${OWN}/#`).ok, false, 'a wider filter overlapping the denied one is refused')
  t.equal(acl.subscribe(storeApp, 'salon/+/+/#').ok, false, 'the narrowed seed filter overlaps the denied one and is refused')
  t.same(acl.subscribe(storeApp, `salon/${OWN}/tickets/#`), { ok: true, filter: `salon/${OWN}/tickets/#` }, 'a disjoint filter is granted')
  t.equal(acl.forward(storeApp, topic), false, 'a denied topic is never delivered')
  t.equal(acl.forward(storeApp, `salon/${OWN}/tickets/created`), true)
  t.equal(acl.publish(storeApp, topic).ok, true, 'publishing stays allowed')
})

t.test('a both deny rule with {deviceId} refuses publish, subscribe and delivery for that device only', async (t) => {
  const acl = defaultAcl([{ filter: 'salon/{salonId}/devices/{deviceId}/#', action: 'both' }])
  const me = device('store-app', OWN, 'till-1')
  const mine = `salon/${OWN}/devices/till-1/cmd`
  const theirs = `salon/${OWN}/devices/till-2/cmd`
  t.equal(acl.publish(me, mine).ok, false)
  t.equal(acl.subscribe(me, mine).ok, false)
  t.equal(acl.forward(me, mine), false)
  t.equal(acl.publish(me, theirs).ok, true)
  t.equal(acl.forward(me, theirs), true)
})

t.test('deny rules hold for every device type, including the store app', async (t) => {
  const acl = defaultAcl([{ filter: 'salon/+/hub/status', action: 'subscribe' }])
  for (const type of DEVICE_TYPES) {
    t.equal(acl.subscribe(device(type), `salon/${OWN}/hub/status`).ok, false, `${type} subscribe refused`)
    t.equal(acl.forward(device(type), `salon/${OWN}/hub/status`), false, `${type} never receives it`)
  }
})

t.test('the hub namespace salon/{salonId}/hub/# and $ topics cannot be published by any device', async (t) => {
  const acl = defaultAcl()
  t.match(acl.publish(device('store-app'), `salon/${OWN}/hub/status`), { ok: false, reason: /reserved for the hub/ })
  t.match(acl.publish(device('store-app'), '$SYS/x'), { ok: false, reason: /reserved for the hub/ })
})

t.test('invalid topics and filters are refused with a precise reason', async (t) => {
  const acl = defaultAcl()
  t.match(acl.publish(device('store-app'), `salon/${OWN}/+`), { ok: false, reason: /not a valid topic name/ })
  t.match(acl.subscribe(device('store-app'), `salon/${OWN}/#/x`), { ok: false, reason: /not a valid topic filter/ })
  t.match(acl.subscribe(device('store-app'), 'salon/salon-b/#'), { ok: false, reason: /reaches salon "salon-b", not this device's salon "salon-a"/ })
  t.match(acl.subscribe(device('mango-pad'), '#'), { ok: false, reason: /a mango-pad may not subscribe to "#" \(narrowed to "salon\/salon-a\/#"\)/ })
  t.match(acl.publish(device('mango-pad'), `salon/${OWN}/payments/completed`), { ok: false, reason: /a mango-pad may not publish to "salon\/salon-a\/payments\/completed"/ })
  t.match(acl.publish(device('mango-pad'), 'salon/salon-b/pad/signature'), { ok: false, reason: /belongs to salon "salon-b"/ })
})

t.test('a role table with bad templates is refused with every problem named', async (t) => {
  const roles = {
    ...DEFAULT_ACL_ROLES,
    'mango-pad': { publish: ['salon/{salon}/pad/signature'], subscribe: ['salon/{salonId}/#/x'] }
  }
  const error = t.throws(() => createAcl({ salonId: 'bad/salon', roles, deny: [{ filter: 'a/{x', action: 'both' }] }))
  t.type(error, ConfigError)
  t.same((error as ConfigError).issues, [
    'salonId must be 1 to 64 letters, digits, "_" or "-" (received "bad/salon")',
    'acl.roles.mango-pad.publish[0] uses unknown placeholder {salon} (known: {salonId}, {deviceId}) (received "salon/{salon}/pad/signature")',
    'acl.roles.mango-pad.subscribe[0] is not a valid MQTT topic filter (received "salon/{salonId}/#/x")',
    'acl.deny[0].filter has an unbalanced { or } (received "a/{x")'
  ])
})

t.test('a custom role table granting other salons still never reaches another salon', async (t) => {
  const roles = { ...DEFAULT_ACL_ROLES, 'mango-pad': { publish: ['salon/+/#'], subscribe: ['salon/+/#', '#'] } }
  const acl = createAcl({ salonId: OWN, roles, deny: [] })
  const pad = device('mango-pad')
  t.equal(acl.publish(pad, 'salon/salon-b/pad/signature').ok, false)
  t.same(acl.subscribe(pad, 'salon/+/#'), { ok: true, filter: `salon/${OWN}/#` })
  t.equal(acl.forward(pad, 'salon/salon-b/pad/signature'), false)
  t.equal(acl.forward(pad, `salon/${OWN}/pad/signature`), true)
})

t.test('forward decisions stay right past the per-identity cache bound', async (t) => {
  const acl = defaultAcl()
  const tablet = device('staff-tablet')
  let allowed = 0
  for (let i = 0; i < 2000; i++) if (acl.forward(tablet, `salon/${OWN}/tickets/t${i}/status`)) allowed++
  t.equal(allowed, 2000)
  t.equal(acl.forward(tablet, `salon/${OWN}/payments/completed`), false)
  t.equal(acl.forward(tablet, `salon/${OWN}/tickets/t1/status`), true)
})
