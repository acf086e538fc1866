/**
 * The seed's message envelope ("Message Format"): every message under `salon/{salonId}/…`
 * is this JSON object, whatever its payload.
 */
import { type DeviceType } from '../auth/types.js'

export { DEVICE_TYPES, type DeviceType } from '../auth/types.js'

/** Who sent a message; the hub checks it against the authenticated device. */
export interface MessageSource {
  /** Sending device id (the MQTT username). */
  readonly deviceId: string
  readonly deviceType: DeviceType
  readonly salonId: string
}

/** The seed's `MqttMessage<T>`: header, payload and format version. */
export interface MqttMessage<T = unknown> {
  /** Unique message id (a UUID); the bridge deduplicates by it. */
  readonly id: string
  /** ISO 8601 timestamp of when the message was created. */
  readonly timestamp: string
  readonly source: MessageSource
  readonly payload: T
  /** Message format version, a positive integer (1 today). */
  readonly version: number
}

/** The envelope format version this hub writes and expects. */
export const ENVELOPE_VERSION = 1
