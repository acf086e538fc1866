/**
 * Cloud to hub: each message from the cloud subscription is published into the local hub with its
 * retain flag and QoS, unless it is an echo of our own publish or a redelivery (same topic and
 * envelope id inside the dedupe window), a retained value the hub already holds, or not ours to
 * forward. The returned promise resolves after the local hub committed the message; only then
 * does mqtt.js send the PUBACK.
 */
import { type IPublishPacket } from 'mqtt'
import { type LocalPort } from '../broker/local-port.js'
import { dedupeKey, type DedupeWindow } from './dedupe-window.js'
import { envelopeId } from './envelope.js'
import { LocalPublishError } from './link-errors.js'
import { forwardQos, hubStatusTopic, type TopicRule } from './topics.js'

/** What the inbound handler needs and whom it tells. */
export interface InboundOptions {
  readonly salonId: string
  readonly rules: readonly TopicRule[]
  readonly local: LocalPort
  /** (topic, id) pairs we sent to the cloud: a 3.1.1 cloud echoes them back. */
  readonly sent: DedupeWindow
  /** (topic, id) pairs we already published locally: the cloud redelivers after reconnects. */
  readonly received: DedupeWindow
  now (): number
  forwarded (topic: string): void
  duplicate (topic: string): void
  ignored (topic: string, reason: string): void
}

/** The handler of one bridge for messages from the cloud. */
export function createInbound (o: InboundOptions): (packet: IPublishPacket) => Promise<void> {
  const statusTopic = hubStatusTopic(o.salonId)
  return async (packet) => {
    const topic = packet.topic
    const qos = packet.qos
    if (topic === statusTopic) {
      o.ignored(topic, 'hub status topic is owned by the hub')
      return
    }
    if (forwardQos(o.rules, 'in', topic, qos) === null) {
      o.ignored(topic, 'no in/both filter matches')
      return
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload)
    // The value the hub already retains, sent again: a cloud that replays its retained messages
    // (a session it lost, a resubscription without Retain Handling) would show every device the
    // same state twice, and a payload without an envelope id has no other way to be recognised.
    if (packet.retain && payload.length > 0 && o.local.retained(topic)?.equals(payload) === true) {
      o.duplicate(topic)
      return
    }
    const id = envelopeId(payload)
    const key = id === null ? null : dedupeKey(topic, id)
    const now = o.now()
    if (key !== null && (o.sent.has(key, now) || o.received.has(key, now))) {
      o.duplicate(topic)
      return
    }
    try {
      await o.local.publish({ topic, payload, qos, retain: packet.retain })
    } catch (cause) {
      throw new LocalPublishError(topic, { cause })
    }
    if (key !== null) o.received.add(key, o.now())
    o.forwarded(topic)
  }
}
