// When a subscriber's PUBACKs arrive as a chunk of nothing else, and the hub acknowledges them itself (not through aedes), does every one still complete exactly its own queued message, and does a chunk with anything else (another packet, half a PUBACK) still take the normal path?
import t, { type Test } from 'tap'
import { type Packet } from 'mqtt-packet'
import { pubackRun } from '../../src/broker/puback-run.js'
import { type Hub } from '../../src/lifecycle/hub.js'
import { startHub } from '../helpers/hub.js'
import { until } from '../helpers/wait.js'
import { connectClient, disconnect, openSession } from '../helpers/coretests-mqtt.js'
import { packet, rawConnect, type RawClient } from '../helpers/coretests-raw.js'

const puback = (id: number): Buffer => Buffer.from([0x40, 2, id >> 8, id & 0xff])

t.test('pubackRun takes a chunk of whole PUBACKs and nothing else', async (t) => {
  t.same(pubackRun(Buffer.concat([puback(1), puback(0x1234), puback(65535)])), [1, 0x1234, 65535], 'the packet ids, in order')
  t.equal(pubackRun(Buffer.concat([puback(1), puback(2).subarray(0, 2)])), null, 'half a PUBACK at the end')
  t.equal(pubackRun(Buffer.concat([puback(1), Buffer.from([0xc0, 0])])), null, 'a PINGREQ after it')
  t.equal(pubackRun(Buffer.from([0x50, 2, 0, 1])), null, 'a PUBREC')
  t.equal(pubackRun(Buffer.from([0x40, 3, 0, 1, 0])), null, 'a PUBACK that claims three bytes')
  t.equal(pubackRun(Buffer.alloc(0)), null, 'nothing')
})

/** A persistent session `tablet-1` on the salon with `count` QoS 1 messages queued while it was away. */
async function queuedSession (t: Test, count: number): Promise<{ hub: Hub, port: number }> {
  const { hub, ports } = await startHub(t)
  const first = await openSession(t, { port: ports.mqtt, clientId: 'tablet-1', clean: false })
  await first.client.subscribeAsync('salon/s1/#', { qos: 1 })
  await disconnect(first.client)
  const pub = await connectClient(t, ports.mqtt, { clientId: 'check-in-1' })
  for (let i = 1; i <= count; i++) await pub.publishAsync('salon/s1/checkin/new', `walk-in-${i}`, { qos: 1 })
  await disconnect(pub)
  return { hub, port: ports.mqtt }
}

/** Reconnect `tablet-1` on a raw socket and take the `count` queued PUBLISHes (not acknowledged yet). */
async function reconnectRaw (t: Test, port: number, count: number): Promise<{ raw: RawClient, publishes: Array<Packet & { cmd: 'publish' }> }> {
  const raw = await rawConnect(t, port)
  raw.socket.write(packet({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: false, clientId: 'tablet-1', keepalive: 60 }))
  const connack = await raw.nextPacket()
  t.match(connack, { cmd: 'connack', returnCode: 0, sessionPresent: true }, 'the session is back')
  const publishes: Array<Packet & { cmd: 'publish' }> = []
  for (let i = 0; i < count; i++) {
    const p = await raw.nextPacket()
    if (p.cmd !== 'publish') throw new Error(`expected PUBLISH, got ${p.cmd}`)
    publishes.push(p)
  }
  return { raw, publishes }
}

function owed (hub: Hub): string[] {
  return [...(hub.store?.sessions.queueOf('tablet-1')?.entries.values() ?? [])].map((e) => e.topic + '#' + String(e.counter))
}

t.test('a chunk of PUBACKs completes exactly the messages it names, and a reconnect gets exactly the rest', async (t) => {
  const { hub, port } = await queuedSession(t, 6)
  const { raw, publishes } = await reconnectRaw(t, port, 6)
  t.same(publishes.map((p) => p.payload.toString()), [1, 2, 3, 4, 5, 6].map((i) => `walk-in-${i}`), 'the queue, in order')
  // the first, third, fourth and sixth acknowledged in one write: in order and out of order
  const acked = [0, 2, 3, 5]
  raw.socket.write(Buffer.concat(acked.map((i) => puback(publishes[i]?.messageId ?? 0))))
  await until(() => owed(hub).length === 2, 5000, 'two messages still owed')
  t.equal(owed(hub).length, 2, 'two of the six are still owed')
  raw.socket.destroy()
  await raw.closed()

  const again = await openSession(t, { port, clientId: 'tablet-1', clean: false })
  const wire = await again.nextWire(2)
  t.same(wire.map((m) => m.payload), ['walk-in-2', 'walk-in-5'], 'the reconnect gets the two not acknowledged, and nothing acknowledged')
  await until(() => owed(hub).length === 0, 5000, 'mqtt.js acknowledged them')
  t.equal(hub.store?.sessions.payloadCache.used, 0, 'no payload is held in memory once nothing is owed')
})

t.test('PUBACKs in a chunk with another packet, or split across chunks, take the normal path and are honoured too', async (t) => {
  const { hub, port } = await queuedSession(t, 3)
  const { raw, publishes } = await reconnectRaw(t, port, 3)
  const ids = publishes.map((p) => p.messageId ?? 0)
  // the first PUBACK with a PINGREQ behind it
  raw.socket.write(Buffer.concat([puback(ids[0] as number), packet({ cmd: 'pingreq' })]))
  t.match(await raw.nextPacket(), { cmd: 'pingresp' }, 'the PINGREQ is answered')
  await until(() => owed(hub).length === 2, 5000, 'the first acknowledged')
  // the second in two halves, a PINGREQ behind it: read in one chunk or in two, neither is a run of whole PUBACKs
  const second = puback(ids[1] as number)
  raw.socket.write(second.subarray(0, 2))
  raw.socket.write(Buffer.concat([second.subarray(2), packet({ cmd: 'pingreq' })]))
  t.match(await raw.nextPacket(), { cmd: 'pingresp' }, 'the PINGREQ after the split PUBACK is answered')
  await until(() => owed(hub).length === 1, 5000, 'the second acknowledged')
  // a PUBACK naming no message sent (as aedes, the hub ignores it), then the third alone
  raw.socket.write(puback(ids[2] === 1 ? 2 : 1))
  raw.socket.write(puback(ids[2] as number))
  await until(() => owed(hub).length === 0, 5000, 'the third acknowledged')
  raw.socket.write(packet({ cmd: 'pingreq' }))
  t.match(await raw.nextPacket(), { cmd: 'pingresp' }, 'the connection is still served')
})
