/**
 * What the bridge reports about itself (for `/status`, the `'status'` event and the retained local
 * `salon/{salonId}/hub/status` topic). Pure.
 */
import { type LinkFailureKind } from './link-errors.js'

/** `disabled`: no `bridge.url`. `connecting`: first attempt in progress. `online`: connected, subscribed, forwarding. `offline`: not connected, retrying. */
export type BridgeState = 'disabled' | 'connecting' | 'online' | 'offline'

/** The last failure of the link, kept until the next one (it says why the bridge is offline). */
export interface BridgeError {
  readonly kind: LinkFailureKind | 'store'
  readonly message: string
  /** ISO 8601 time of the failure. */
  readonly at: string
}

/** A snapshot of the bridge. */
export interface BridgeStatus {
  readonly state: BridgeState
  /** ISO 8601 time of the last state change. */
  readonly since: string
  readonly lastError: BridgeError | null
  /** MQTT protocol level used with the cloud (5, or 4 for 3.1.1 after a refusal); null when disabled. */
  readonly protocolVersion: 4 | 5 | null
  readonly outbox: {
    readonly messages: number
    readonly bytes: number
    /** Age of the oldest unsent message in seconds; null when empty. */
    readonly oldestAgeSeconds: number | null
    readonly whenFull: 'drop-oldest' | 'refuse-new'
    /** True while a drop burst is going on (the last message taken had to drop or be refused). */
    readonly full: boolean
  }
  /** Since start: messages forwarded each way, dropped unsent, and duplicates or echoes dropped. */
  readonly counts: {
    readonly in: number
    readonly out: number
    readonly dropped: number
    readonly duplicates: number
  }
}

/** The retained payload of the local `salon/{salonId}/hub/status` topic. */
export function localStatusPayload (state: BridgeState, since: string): Buffer {
  return Buffer.from(JSON.stringify({ bridge: state, since }))
}
