import { AuthError } from '../errors.js'
import { type Logger } from '../log/logger.js'
import { type DeviceIdentity } from '../auth/types.js'
import { REFUSED, type SessionStore } from '../store/session-store.js'
import { type AccessPolicy } from './access.js'
import { type AedesClient, type AedesPacket } from './client-internals.js'
import { type PublishPipeline } from './publish-pipeline.js'
import { subscribing } from './deliver.js'
import { type BrokerMetrics } from './broker-metrics.js'

type Callback<T = unknown> = (err: Error | null, result?: T) => void

/** Packets the hub has already stored and emitted (or dropped): aedes' own publish step skips them. */
export const handled = new WeakSet<object>()

/** Who each connection is, once authenticated. */
export const identities = new WeakMap<object, DeviceIdentity | null>()

const emptyClientId = new WeakSet<object>()

/** What the aedes hooks need. */
export interface HookContext {
  readonly policy: AccessPolicy
  readonly pipeline: PublishPipeline
  readonly sessions: SessionStore
  readonly log: Logger
  readonly metrics: BrokerMetrics
  /** Seconds a failing address waits before its answer; recorded by the auth part. */
  readonly throttle?: { delayFor (address: string): number, recordFailure (address: string): void, recordSuccess (address: string): void }
}

function remoteAddress (client: AedesClient): string | undefined {
  return client.conn.remoteAddress ?? client.req?.socket?.remoteAddress
}

/** A rejected promise becomes `callback(err)`, never an unhandled rejection: the one adapter at aedes' callback seam. */
function settle<T> (promise: Promise<T>, cb: Callback<T>): void {
  promise.then((value) => cb(null, value), (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))))
}

function withReturnCode (message: string, code: number): Error {
  return Object.assign(new Error(message), { returnCode: code })
}

/** aedes' hooks, built on the hub's access policy and publish pipeline. */
export function createHooks (ctx: HookContext): Record<string, unknown> {
  const { policy, sessions, log, metrics } = ctx

  function preConnect (client: AedesClient, packet: { clientId: string }, cb: (err: Error | null, ok: boolean) => void): void {
    if (packet.clientId === '') emptyClientId.add(client)
    cb(null, true)
  }

  function authenticate (client: AedesClient, username: string | undefined, password: Buffer | undefined, cb: (err: Error | null, ok?: boolean) => void): void {
    const address = remoteAddress(client)
    // [MQTT-3.1.3-8]: a zero-byte client id needs clean session 1, else CONNACK 0x02
    if (emptyClientId.has(client) && !client.clean) {
      metrics.refused.inc({ reason: 'identifier-rejected' })
      log.info({ remoteAddress: address }, 'connection refused: empty client id with clean session 0 [MQTT-3.1.3-8]')
      cb(withReturnCode('empty client id requires clean session', 2), false)
      return
    }
    const verify = async (): Promise<DeviceIdentity | null> => {
      const delay = address === undefined || ctx.throttle === undefined ? 0 : ctx.throttle.delayFor(address)
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
      return policy.admit({ clientId: client.id, username, password, remoteAddress: address })
    }
    settle(verify(), (err, identity) => {
      if (err === null) {
        identities.set(client, identity ?? null)
        dropForbiddenWill(client, identity ?? null)
        if (address !== undefined) ctx.throttle?.recordSuccess(address)
        cb(null, true)
        return
      }
      const code = err instanceof AuthError ? err.returnCode : 5
      if (address !== undefined) ctx.throttle?.recordFailure(address)
      metrics.authFailures.inc({ code: String(code) })
      log.info({ clientId: client.id, username, remoteAddress: address, returnCode: code, reason: err.message }, 'connection refused: authentication failed')
      cb(withReturnCode(err.message, code), false)
    })
  }

  // The hub publishes a will when the connection ends, and after a crash the next start publishes
  // the stored ones with no connection to ask about: a will is judged like a publish here, before
  // aedes stores it (the connection is admitted without it, as a forbidden publish is acknowledged).
  function dropForbiddenWill (client: AedesClient, identity: DeviceIdentity | null): void {
    const c = client as AedesClient & { _will?: { topic: string, payload?: Buffer | string, retain?: boolean } | null }
    const will = c._will
    if (will === undefined || will === null) return
    const payload = typeof will.payload === 'string' ? Buffer.from(will.payload) : (will.payload ?? Buffer.alloc(0))
    const verdict = policy.publish(identity, { topic: will.topic, payload, retain: will.retain === true })
    if (verdict.ok) return
    c._will = null
    metrics.forbidden.inc()
    log.warn({ clientId: client.id, topic: will.topic, bytes: payload.length, reason: verdict.reason }, 'will refused: connection admitted without it')
  }

  function authorizePublish (client: AedesClient | null, packet: AedesPacket, cb: (err?: Error | null) => void): void {
    const fromWire = packet.cmd === 'publish'
    const clientId = client?.id
    const qos = packet.qos ?? 0
    // a retransmitted QoS 2 PUBLISH already stored: aedes answers PUBREC from the inbound record
    if (fromWire && qos === 2 && clientId !== undefined && sessions.hasIncoming(clientId, packet.messageId ?? 0)) {
      handled.add(packet)
      cb(null)
      return
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : (packet.payload ?? Buffer.alloc(0))
    const identity = client === null ? null : (identities.get(client) ?? null)
    const verdict = policy.publish(identity, { topic: packet.topic, payload, retain: packet.retain === true })
    if (!verdict.ok) {
      // Acknowledged and dropped, never delivered: refusing would make aedes close the
      // connection and mqtt.js resend the message forever (about 10 reconnects a second).
      handled.add(packet)
      metrics.forbidden.inc()
      log.warn({ clientId, topic: packet.topic, bytes: payload.length, reason: verdict.reason }, 'publish refused')
      if (fromWire && qos === 2 && clientId !== undefined) {
        settle(sessions.incomingStorePacket({ id: clientId }, packet), (err) => cb(err))
        return
      }
      cb(null)
      return
    }
    metrics.messagesIn.inc({ qos: String(qos) })
    // aedes publishes a will and deletes it in two steps; a stop in between (a graceful close
    // does exactly that) left it stored and the next start published it again
    const willOf = client !== null && !fromWire && packet === client.will ? clientId : undefined
    const work = ctx.pipeline.publish(
      { topic: packet.topic, payload, qos, retain: packet.retain === true, ...(packet.messageId !== undefined ? { messageId: packet.messageId } : {}) },
      { origin: client === null ? 'hub' : 'device', clientId, inboundQos2: fromWire && qos === 2, willOf }
    )
    settle(work, (err) => {
      if (err !== null) {
        metrics.storeErrors.inc()
        log.error({ err, clientId, topic: packet.topic }, 'publish not stored: not acknowledged, connection closed')
        cb(err)
        return
      }
      handled.add(packet)
      cb(null)
    })
  }

  // The verdict is applied to `sub` at once, but answered on the next tick: aedes 1.2 authorizes
  // a SUBSCRIBE's filters one after the other and, for a persistent session, stores the whole
  // `packet.subscriptions` as soon as the FIRST one is granted. Answering synchronously let the
  // filters after it be persisted in their original form (refused `salon/B/#`, un-narrowed `#`),
  // the Aedes leak this hook exists to close. Deferred, every filter is marked or narrowed first.
  function authorizeSubscribe (client: AedesClient, sub: { topic: string, qos: number, [REFUSED]?: boolean }, cb: (err: Error | null, sub?: unknown) => void): void {
    subscribing(client)
    const verdict = policy.subscribe(identities.get(client) ?? null, sub.topic)
    if (!verdict.ok) {
      sub[REFUSED] = true
      metrics.subscribeRefused.inc()
      log.warn({ clientId: client.id, filter: sub.topic, reason: verdict.reason }, 'subscription refused (SUBACK 0x80)')
      // A session restored under stricter rules: its stored subscription must go too, or it
      // would keep queueing messages for a subscription the device no longer has.
      if (!client.clean && sessions.subscriptions.of(client.id).some((s) => s.topic === sub.topic)) {
        log.info({ clientId: client.id, filter: sub.topic }, 'refused subscription removed from the persistent session')
        settle(sessions.removeSubscriptions({ id: client.id }, [sub.topic]), (err) => cb(err, null))
        return
      }
      process.nextTick(cb, null, null)
      return
    }
    if (verdict.filter !== sub.topic) {
      log.info({ clientId: client.id, filter: sub.topic, narrowed: verdict.filter }, 'subscription narrowed to the salon')
      // in place: aedes persists the packet's own subscription objects for persistent sessions
      sub.topic = verdict.filter
    }
    process.nextTick(cb, null, sub)
  }

  // No authorizeForward: the hub's own delivery (deliver.ts) and queue drain (drain-queue.ts)
  // check the policy on every message they send, live or queued.
  return { preConnect, authenticate, authorizePublish, authorizeSubscribe }
}
