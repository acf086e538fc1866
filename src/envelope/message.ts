/**
 * Build an envelope for a device app: the one place that fills the header, so `source` always
 * names the device that sends it.
 */
import { randomUUID } from 'node:crypto'
import { ENVELOPE_VERSION, type MessageSource, type MqttMessage } from './types.js'

/** Optional header values (tests and replays); by default a new UUID and the current time. */
export interface MessageOptions {
  readonly id?: string
  readonly timestamp?: string
}

/** Wrap `payload` in the seed's envelope, sent by `source`. */
export function createMessage<T> (source: MessageSource, payload: T, options: MessageOptions = {}): MqttMessage<T> {
  return {
    id: options.id ?? randomUUID(),
    timestamp: options.timestamp ?? new Date().toISOString(),
    source: { deviceId: source.deviceId, deviceType: source.deviceType, salonId: source.salonId },
    payload,
    version: ENVELOPE_VERSION
  }
}

/** The bytes to publish for a message. */
export function encodeMessage<T> (message: MqttMessage<T>): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8')
}
