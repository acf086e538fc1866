// Are link failures told apart (protocol, credentials, TLS, subscription, keepalive, network) with the right retry, and does the callback seam turn rejections into callback errors exactly once?
import t from 'tap'
import { ErrorWithReasonCode } from 'mqtt'
import { BridgeFileError, CloudDisconnectError, LocalPublishError, SubscriptionRefusedError, classifyLinkError } from '../../src/bridge/link-errors.js'
import { toCallback } from '../../src/bridge/callback-adapter.js'
import { DropBurst } from '../../src/bridge/drop-burst.js'

function coded (message: string, code: string): Error {
  return Object.assign(new Error(message), { code })
}

t.test('link failures', async (t) => {
  const c = (err: unknown): [string, string] => {
    const f = classifyLinkError(err)
    return [f.kind, f.retry]
  }
  t.same(c(new ErrorWithReasonCode('Connection refused: Unacceptable protocol version', 1)), ['protocol', 'now'], '3.1.1 return code 1: fall back at once [MQTT-3.1.2-2]')
  t.same(c(new ErrorWithReasonCode('Connection refused: Unsupported Protocol Version', 132)), ['protocol', 'now'], 'MQTT 5 reason 0x84: fall back at once')
  for (const code of [4, 5, 134, 135]) t.same(c(new ErrorWithReasonCode('Connection refused: x', code)), ['auth', 'long'], `CONNACK ${code}: credentials, long backoff`)
  t.same(c(new ErrorWithReasonCode('Connection refused: Server unavailable', 3)), ['cloud', 'backoff'], 'server unavailable: normal backoff')
  t.same(c(new ErrorWithReasonCode('Connection refused: Identifier rejected', 2)), ['config', 'long'], 'client id refused')
  t.same(c(coded('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')), ['tls', 'long'], 'an untrusted certificate')
  t.same(c(coded('Hostname/IP does not match', 'ERR_TLS_CERT_ALTNAME_INVALID')), ['tls', 'long'], 'a certificate for another host')
  t.same(c(coded('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED')), ['network', 'backoff'], 'refused TCP connection')
  t.same(c(new Error('Keepalive timeout')), ['keepalive', 'backoff'], 'no PINGRESP')
  t.same(c(new SubscriptionRefusedError('salon/a/#', 0x80)), ['subscription', 'long'], 'SUBACK 0x80')
  t.same(c(new BridgeFileError('ca', 'missing.pem', { cause: coded('no file', 'ENOENT') })), ['config', 'long'], 'an unreadable CA file')
  t.same(c(new LocalPublishError('salon/a/x', { cause: new Error('disk full') })), ['local', 'backoff'], 'the local hub refused a message')
  t.same(c(new CloudDisconnectError(0x8b, 'Server shutting down')), ['cloud', 'backoff'], 'DISCONNECT from a cloud shutting down')
  t.same(c(new CloudDisconnectError(0x8e, 'Session taken over')), ['cloud', 'long'], 'DISCONNECT 0x8E: another hub with our client id, long backoff')
  t.same(c('a string'), ['network', 'backoff'], 'anything else')
  t.match(classifyLinkError(new ErrorWithReasonCode('Connection refused: Bad User Name or Password', 134)).message, /CONNACK 134/, 'the message keeps the code')
})

t.test('callback adapter', async (t) => {
  const reported: unknown[] = []
  const ok = toCallback(async (n: number) => { if (n < 0) throw new Error('negative') }, (err) => { reported.push(err) })
  const results = await Promise.all([1, -1].map(async (n) => await new Promise<Error | undefined>((resolve) => { ok(n, resolve) })))
  t.equal(results[0], undefined, 'a resolved promise calls back without error')
  t.match(results[1], { message: 'negative' }, 'a rejected promise becomes callback(err)')
  t.equal(reported.length, 1, 'and is reported once')
  const sync = toCallback((): Promise<void> => { throw new Error('sync throw') }, (err) => { reported.push(err) })
  const err = await new Promise<Error | undefined>((resolve) => { sync(0, resolve) })
  t.match(err, { message: 'sync throw' }, 'a synchronous throw is also a callback error, not an exception')
  const odd = toCallback(async () => { throw 'not an error' }, () => {})
  const wrapped = await new Promise<Error | undefined>((resolve) => { odd(0, resolve) })
  t.ok(wrapped instanceof Error, 'a non-Error rejection is wrapped in an Error')
})

t.test('drop bursts: one start, one summary', async (t) => {
  const b = new DropBurst()
  t.notOk(b.active, 'calm at first')
  t.equal(b.calm(0), null, 'no summary without drops')
  t.equal(b.dropped('full', 1, 1000), true, 'the first drop starts a burst')
  t.equal(b.dropped('full', 2, 1500), false, 'later drops do not')
  t.equal(b.dropped('expired', 1, 1600), false, 'whatever the cause')
  t.ok(b.active, 'active during the burst')
  t.same(b.calm(3000), { durationMs: 2000, counts: { full: 3, expired: 1 }, total: 4 }, 'the summary counts by cause')
  t.notOk(b.active, 'calm again')
  t.equal(b.dropped('full', 0, 0), false, 'zero drops do nothing')
})
