/**
 * Why the cloud link failed, in words an operator can act on, and how soon to retry.
 * Pure: it only inspects error objects.
 */
import { MangoError } from '../errors.js'

/** The classes of link failure the status reports. */
export type LinkFailureKind =
  | 'protocol' // the cloud refused MQTT 5 (handled by falling back to 3.1.1)
  | 'auth' // the cloud refused the credentials
  | 'tls' // the cloud certificate did not verify, or the TLS handshake failed
  | 'subscription' // the cloud refused a subscription
  | 'config' // a bridge file could not be read, or the cloud refused the client id
  | 'keepalive' // no PINGRESP in time: the link is dead
  | 'network' // unreachable, reset, closed, timed out
  | 'cloud' // the cloud said it is unavailable or refused for another reason
  | 'local' // the local hub could not take a message from the cloud

/** A classified failure. `retry`: `now` (switch protocol), `backoff` (exponential) or `long` (needs a fix: wait the cap). */
export interface LinkFailure {
  readonly kind: LinkFailureKind
  readonly message: string
  readonly retry: 'now' | 'backoff' | 'long'
}

/** Failures an operator must fix (configuration, credentials, certificates, the local store): logged as errors; the others as warnings. */
export function operatorMustAct (kind: LinkFailureKind | 'store'): boolean {
  return kind === 'auth' || kind === 'tls' || kind === 'config' || kind === 'subscription' || kind === 'local' || kind === 'store'
}

/** The cloud refused one of the bridge subscriptions (SUBACK return code 0x80 or above). */
export class SubscriptionRefusedError extends MangoError {
  readonly filter: string
  readonly reasonCode: number
  constructor (filter: string, reasonCode: number) {
    super('MANGO_ERR_BRIDGE_SUBSCRIBE', `cloud refused subscription to '${filter}' (SUBACK 0x${reasonCode.toString(16)})`)
    this.filter = filter
    this.reasonCode = reasonCode
  }
}

/** The cloud ended the link with an MQTT 5 DISCONNECT and a reason code. */
export class CloudDisconnectError extends MangoError {
  readonly reasonCode: number
  constructor (reasonCode: number, reason: string | undefined) {
    super('MANGO_ERR_BRIDGE_DISCONNECT', `cloud sent DISCONNECT 0x${reasonCode.toString(16)}${reason === undefined ? '' : ` (${reason})`}`)
    this.reasonCode = reasonCode
  }
}

/** A bridge file (ca, cert, key) could not be read. */
export class BridgeFileError extends MangoError {
  constructor (key: string, path: string, options: { cause: unknown }) {
    super('MANGO_ERR_BRIDGE_FILE', `cannot read bridge.${key} '${path}' (${codeOf(options.cause) ?? 'error'})`, options)
  }
}

/** Publishing a cloud message into the local hub failed. */
export class LocalPublishError extends MangoError {
  constructor (topic: string, options: { cause: unknown }) {
    super('MANGO_ERR_BRIDGE_LOCAL', `local hub refused a message from the cloud on '${topic}': ${messageOf(options.cause)}`, options)
  }
}

const AUTH_CODES = new Set([4, 5, 134, 135, 138, 140])
const PROTOCOL_CODES = new Set([1, 132])
const CLIENT_ID_CODES = new Set([2, 133])
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED'])
const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID'
])

/** Classify an error raised while connecting, subscribing or running the link. */
export function classifyLinkError (err: unknown): LinkFailure {
  if (err instanceof SubscriptionRefusedError) return { kind: 'subscription', message: err.message, retry: 'long' }
  if (err instanceof BridgeFileError) return { kind: 'config', message: err.message, retry: 'long' }
  if (err instanceof LocalPublishError) return { kind: 'local', message: err.message, retry: 'backoff' }
  if (err instanceof CloudDisconnectError) {
    // 0x8E: another connection with our client id took the session over, typically a second hub
    // configured with the same clientId; reconnecting at once would make the two kick each other.
    if (err.reasonCode === 0x8e) return { kind: 'cloud', message: `${err.message}: session taken over, is another hub using this bridge.clientId?`, retry: 'long' }
    return { kind: 'cloud', message: err.message, retry: 'backoff' }
  }
  const message = messageOf(err)
  const code = codeOf(err)
  if (typeof code === 'number' && message.startsWith('Connection refused')) {
    const detail = `${message} (CONNACK ${code})`
    if (PROTOCOL_CODES.has(code)) return { kind: 'protocol', message: `cloud refused the MQTT protocol version: ${detail}`, retry: 'now' }
    if (AUTH_CODES.has(code)) return { kind: 'auth', message: `cloud refused the bridge credentials: ${detail}`, retry: 'long' }
    if (CLIENT_ID_CODES.has(code)) return { kind: 'config', message: `cloud refused the bridge client id: ${detail}`, retry: 'long' }
    return { kind: 'cloud', message: `cloud refused the connection: ${detail}`, retry: 'backoff' }
  }
  if (typeof code === 'string') {
    if (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
      return { kind: 'tls', message: `TLS: the cloud certificate or handshake was rejected (${code}: ${message})`, retry: 'long' }
    }
    if (NETWORK_CODES.has(code)) return { kind: 'network', message: `cloud unreachable (${code}: ${message})`, retry: 'backoff' }
  }
  if (message === 'TLS not authorized') return { kind: 'tls', message: 'TLS: the cloud certificate was not authorised', retry: 'long' }
  if (message === 'Keepalive timeout') {
    return { kind: 'keepalive', message: 'link dead: no PINGRESP within 1.5 times the keepalive (Keepalive timeout)', retry: 'backoff' }
  }
  if (message === 'connack timeout') return { kind: 'network', message: 'cloud did not answer CONNECT in time (connack timeout)', retry: 'backoff' }
  return { kind: 'network', message, retry: 'backoff' }
}

function messageOf (err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}

function codeOf (err: unknown): string | number | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const code: unknown = (err as { code?: unknown }).code
  return typeof code === 'string' || typeof code === 'number' ? code : undefined
}
