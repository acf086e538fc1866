// Does each malformed or forbidden packet get the answer MQTT 3.1.1 requires (CONNACK 0x01 for an unsupported protocol level, otherwise a closed connection and nothing delivered), while a well-behaved client keeps being served?
import t, { type Test } from 'tap'
import { checkPacket, PacketConformance } from '../../src/broker/packet-conformance.js'
import { openSession } from '../helpers/coretests-mqtt.js'
import { packet, rawConnect, remainingLength } from '../helpers/coretests-raw.js'
import { faultHubArgs } from '../helpers/faults-hub-args.js'
import { assertNormalLatency, startProbe } from '../helpers/faults-probe.js'
import { spawnHub } from '../helpers/process.js'

const connectBytes = (clientId: string): Buffer => packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0 })

/** A CONNECT with protocol name "MQTT" and the given level byte. */
function connectAtLevel (level: number): Buffer {
  const body = Buffer.concat([Buffer.from([0, 4]), Buffer.from('MQTT'), Buffer.from([level, 0x02, 0, 0, 0, 1, 0x78])])
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body])
}

/** A CONNECT whose will flag is set with Will QoS 3 [MQTT-3.1.2-14]. */
function connectWithWillQos3 (): Buffer {
  const body = Buffer.concat([Buffer.from([0, 4]), Buffer.from('MQTT'), Buffer.from([4, 0x02 | 0x04 | 0x18, 0, 0, 0, 1, 0x77, 0, 1, 0x74, 0, 1, 0x78])])
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body])
}

/** A PUBLISH whose topic is the given raw bytes. */
function publishRaw (topic: Buffer, qos: 0 | 1, messageId = 1): Buffer {
  const body = Buffer.concat([Buffer.from([topic.length >> 8, topic.length & 0xff]), topic, qos === 1 ? Buffer.from([messageId >> 8, messageId & 0xff]) : Buffer.alloc(0), Buffer.from('payload')])
  return Buffer.concat([Buffer.from([0x30 | (qos << 1)]), remainingLength(body.length), body])
}

t.test('the conformance guard sees the same verdict whether a packet arrives whole or one byte at a time', async (t) => {
  const cases: Array<[string, Buffer, string | null]> = [
    ['a valid CONNECT', connectBytes('ok'), null],
    ['a valid PUBLISH at QoS 1', packet({ cmd: 'publish', topic: 'salon/s1/x', payload: 'p', qos: 1, messageId: 9, retain: false, dup: false }), null],
    ['a valid SUBSCRIBE', packet({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'salon/s1/#', qos: 1 }, { topic: 'a/+', qos: 0 }] }), null],
    ['a PINGREQ', packet({ cmd: 'pingreq' }), null],
    ['protocol level 6', connectAtLevel(6), 'protocol level 6'],
    ['protocol level 0', connectAtLevel(0), 'protocol level 0'],
    ['Will QoS 3', connectWithWillQos3(), 'Will QoS 3'],
    ['U+0000 in a topic', publishRaw(Buffer.from('a\u0000b'), 0), 'U\\+0000'],
    ['ill-formed UTF-8 in a topic', publishRaw(Buffer.from([0x61, 0xc3, 0x28]), 0), 'UTF-8'],
    ['packet identifier 0 at QoS 1', publishRaw(Buffer.from('a/b'), 1, 0), 'identifier 0'],
    ['SUBSCRIBE with packet identifier 0', Buffer.from([0x82, 6, 0, 0, 0, 1, 0x61, 0]), 'identifier 0'],
    ['UNSUBSCRIBE of a filter with U+0000', Buffer.from([0xa2, 5, 0, 1, 0, 1, 0]), 'U\\+0000']
  ]
  for (const [name, bytes, expected] of cases) {
    const whole = new PacketConformance().feed(bytes)
    const byByte = new PacketConformance()
    let split = null
    for (const b of bytes) split ??= byByte.feed(Uint8Array.of(b))
    if (expected === null) t.equal(whole, null, `${name}: conforms`)
    else t.match(whole?.reason, new RegExp(expected), `${name}: refused (${whole?.reason ?? 'no verdict'})`)
    t.same(split, whole, `${name}: the same verdict byte by byte`)
  }
  const two = Buffer.concat([connectBytes('a'), publishRaw(Buffer.from('a\u0000'), 0)])
  t.match(new PacketConformance().feed(two)?.reason, /U\+0000/, 'a bad packet behind a good one in the same chunk is found')
  t.equal(checkPacket(3, 0, Uint8Array.from([0, 1, 0x61])), null, 'a QoS 0 PUBLISH has no packet identifier to check')
})

interface Case { readonly name: string, readonly bytes: Buffer, readonly connect?: boolean, readonly expect: 'connack-0x01' | 'closed' }

const CASES: readonly Case[] = [
  { name: 'CONNECT at protocol level 5 (MQTT 5) gets CONNACK 0x01 [MQTT-3.1.2-2]', bytes: packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId: 'v5', keepalive: 0 }), expect: 'connack-0x01' },
  { name: 'CONNECT at protocol level 6 gets CONNACK 0x01 [MQTT-3.1.2-2]', bytes: connectAtLevel(6), expect: 'connack-0x01' },
  { name: 'CONNECT at protocol level 0 gets CONNACK 0x01 [MQTT-3.1.2-2]', bytes: connectAtLevel(0), expect: 'connack-0x01' },
  { name: 'CONNECT with Will QoS 3 is closed without CONNACK [MQTT-3.1.2-14]', bytes: connectWithWillQos3(), expect: 'closed' },
  { name: 'a first packet that is not CONNECT is closed [MQTT-3.1.0-1]', bytes: packet({ cmd: 'pingreq' }), expect: 'closed' },
  { name: 'a remaining length of five bytes is closed [MQTT-2.2.3]', bytes: Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]), expect: 'closed' },
  { name: 'a CONNECT declaring 300 MiB is closed at its header', bytes: Buffer.concat([Buffer.from([0x10]), remainingLength(300 * 1024 * 1024), Buffer.from([0, 4])]), expect: 'closed' },
  { name: 'a PUBLISH topic with U+0000 is closed [MQTT-1.5.3-2]', connect: true, bytes: publishRaw(Buffer.from('salon/s1/a\u0000b'), 0), expect: 'closed' },
  { name: 'a PUBLISH topic with ill-formed UTF-8 is closed [MQTT-1.5.3-1]', connect: true, bytes: publishRaw(Buffer.from([0x73, 0x61, 0x6c, 0x6f, 0x6e, 0x2f, 0x73, 0x31, 0x2f, 0xc3, 0x28]), 0), expect: 'closed' },
  { name: 'a QoS 1 PUBLISH with packet identifier 0 is closed without PUBACK [MQTT-2.3.1-1]', connect: true, bytes: publishRaw(Buffer.from('salon/s1/id0'), 1, 0), expect: 'closed' },
  { name: 'a SUBSCRIBE with packet identifier 0 is closed without SUBACK [MQTT-2.3.1-1]', connect: true, bytes: Buffer.from([0x82, 6, 0, 0, 0, 1, 0x23, 0]), expect: 'closed' },
  { name: 'a PUBLISH at QoS 3 is closed [MQTT-3.3.1-4]', connect: true, bytes: Buffer.from([0x36, 5, 0, 1, 0x61, 0, 1]), expect: 'closed' },
  { name: 'a second CONNECT is closed [MQTT-3.1.0-2]', connect: true, bytes: connectBytes('second'), expect: 'closed' }
]

/** Each case is sent this many times, so the well-behaved client's loop runs alongside. */
const ROUNDS = 3

async function answerTo (t: Test, port: number, c: Case, round: number): Promise<{ packets: string[], closed: boolean }> {
  const raw = await rawConnect(t, port)
  if (c.connect === true) {
    raw.socket.write(connectBytes(`violator-${round}-${CASES.indexOf(c)}`))
    const connack = await raw.nextPacket()
    if (connack.cmd !== 'connack' || connack.returnCode !== 0) throw new Error(`no CONNACK 0 before the violation: ${JSON.stringify(connack)}`)
    raw.packets.length = 0
  }
  raw.socket.write(c.bytes)
  await raw.closed(5000)
  return { packets: raw.packets.map((p) => p.cmd === 'connack' ? `connack:${String(p.returnCode)}` : p.cmd), closed: true }
}

t.test('each violation gets the answer the spec requires, nothing reaches a subscriber, and a well-behaved client is served throughout', async (t) => {
  const hub = spawnHub(t, faultHubArgs(`${t.testdir()}/data`))
  const ports = await hub.ready()
  const watcher = await openSession(t, { port: ports.mqtt, clientId: 'store-app', clean: true })
  await watcher.client.subscribeAsync('#', { qos: 1 })
  const probe = await startProbe(t, ports.mqtt)
  const baseline = await probe.sample(30)
  const loop = probe.start()
  // at least ROUNDS rounds, and on a slow machine more (bounded), until the probe has had a few round trips under attack
  for (let round = 0; round < ROUNDS || (loop.count() < 5 && round < ROUNDS * 10); round++) {
    for (const c of CASES) {
      const r = await answerTo(t, ports.mqtt, c, round)
      if (c.expect === 'connack-0x01') t.same(r.packets, ['connack:1'], `${c.name}, then the connection closes`)
      else t.same(r.packets, [], c.name)
    }
  }
  const during = await loop.stop()
  assertNormalLatency(t, baseline, during, { minRoundTrips: 3 })
  t.equal(hub.child.exitCode, null, 'the hub is still running')
  // nothing from the violators was published: the next message the watcher sees (probe traffic aside) is this marker
  const pad = await openSession(t, { port: ports.mqtt, clientId: 'pad-1', clean: true })
  await pad.client.publishAsync('salon/s1/marker', 'marker', { qos: 1 })
  const deadline = Date.now() + 5000
  while (!watcher.messages.some((m) => m.topic === 'salon/s1/marker') && Date.now() < deadline) await watcher.next(watcher.messages.length + 1, 5000)
  const foreign = watcher.messages.filter((m) => !m.topic.startsWith('salon/s1/probe/') && m.topic !== 'salon/s1/marker' && !m.topic.startsWith('$SYS'))
  t.same(foreign, [], 'no violating PUBLISH was delivered to a subscriber of #')
})
