// Are repeated failed logins from one address slowed down, as seen by a client over the wire, without the delay revealing whether a token was right, and logged without the token?
import t from 'tap'
import { startWireHub } from '../helpers/auth-wire-hub.js'
import { connectDevice, credentials, refused } from '../helpers/auth-wire-mqtt.js'

const BASE = 400
const MAX = 1600
/** Node may fire a timer up to a millisecond early; measured delays are compared with this slack. */
const SLACK = 20

t.test('after the free failures each CONNACK from the same address comes later, doubling up to the cap; a success clears the address', async (t) => {
  const wire = await startWireHub(t, {
    devices: [{ deviceType: 'mango-pad', deviceId: 'pad-1' }],
    config: { auth: { throttle: { freeFailures: 2, baseDelayMs: BASE, maxDelayMs: MAX } } }
  })
  const pad = wire.device('pad-1')
  const wrong = { ...credentials(pad), password: 'not-the-token-of-pad-1' }
  const ms: number[] = []
  for (let i = 0; i < 5; i++) {
    const attempt = await refused(t, wire.ports.mqtt, wrong)
    t.equal(attempt.code, 4, `attempt ${i + 1}: CONNACK 0x04`)
    ms.push(attempt.ms)
  }
  const [a1, a2, a3, a4, a5] = ms as [number, number, number, number, number]
  t.comment(`measured CONNACK times (ms): ${ms.join(', ')}`)
  // With 2 free failures, the third attempt is still answered at once; each failure after that
  // delays the next CONNECT: base, then twice the base.
  t.ok(a4 >= BASE - SLACK, `attempt 4 waited at least the base delay (${a4} ms >= ${BASE} ms)`)
  t.ok(a4 > Math.max(a1, a2, a3), `attempt 4 (${a4} ms) is answered later than the free ones (${a1}, ${a2}, ${a3} ms)`)
  t.ok(a5 >= 2 * BASE - SLACK, `attempt 5 waited at least twice the base delay (${a5} ms >= ${2 * BASE} ms)`)

  // the right token is delayed the same way, so the timing does not tell a guess succeeded
  const started = Date.now()
  const ok = await connectDevice(t, wire.ports.mqtt, pad)
  const okMs = Date.now() - started
  t.ok(okMs >= MAX - SLACK, `the right token waited the capped delay too (${okMs} ms >= ${MAX} ms)`)
  t.ok(ok.client.connected, 'and was admitted')

  const after = await refused(t, wire.ports.mqtt, wrong)
  t.equal(after.code, 4, 'a failure after the success: CONNACK 0x04')
  t.ok(after.ms < a5, `the success cleared the address: answered without the delay (${after.ms} ms < ${a5} ms)`)

  const logged = wire.lines.filter((l) => l.msg === 'connection refused: authentication failed')
  t.equal(logged.length, 6, 'every failure is logged')
  t.match(logged[0], { level: 30, clientId: pad.clientId, username: pad.deviceId, remoteAddress: /127\.0\.0\.1/, returnCode: 4 }, 'at info level, with client id, username and address')
  t.notOk(wire.text().includes(wrong.password) || wire.text().includes(pad.token), 'no token or password in the log')
})
