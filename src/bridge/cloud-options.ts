/**
 * The mqtt.js options of one connection attempt to the cloud. Pure: the TLS material is passed in.
 */
import { type IClientOptions } from 'mqtt'
import { type BridgeConfig } from '../config/sections/bridge.js'

/** Everything a connection attempt needs, resolved from the bridge configuration. */
export interface LinkSettings {
  readonly url: string
  readonly username: string
  readonly password: string | null
  readonly clientId: string
  readonly keepalive: number
  readonly sessionExpirySeconds: number
  readonly rejectUnauthorized: boolean
  readonly connectTimeoutMs: number
}

/** Resolve the link settings of `config` for `salonId`: user name and client id default from the salonId. */
export function linkSettings (config: BridgeConfig, url: string, salonId: string, connectTimeoutMs: number): LinkSettings {
  return {
    url,
    username: config.username ?? salonId,
    password: config.password,
    clientId: config.clientId ?? `mango-hub-${salonId}`,
    keepalive: config.keepalive,
    sessionExpirySeconds: config.sessionExpirySeconds,
    rejectUnauthorized: config.rejectUnauthorized,
    connectTimeoutMs
  }
}

/** PEM material read from the `ca`, `cert` and `key` files. */
export interface TlsMaterial {
  readonly ca?: Buffer
  readonly cert?: Buffer
  readonly key?: Buffer
}

/** The retained cloud status message: `online` as birth, `offline` as will and on a clean close. */
export function cloudStatusPayload (state: 'online' | 'offline', since: Date): Buffer {
  return Buffer.from(JSON.stringify({ state, since: since.toISOString() }))
}

/**
 * mqtt.js options: a persistent session (clean false, and for MQTT 5 a session expiry, since
 * MQTT 5 otherwise ends the session at disconnect [MQTT-3.1.2-23]), our own reconnect loop
 * (`reconnectPeriod: 0`), pings on a fixed schedule (`reschedulePings: false`, so steady publishing
 * cannot hide a dead link from the keepalive check) and a retained will marking the hub offline.
 */
export function clientOptions (settings: LinkSettings, tls: TlsMaterial, protocolVersion: 4 | 5, statusTopic: string, now: Date): IClientOptions {
  const options: IClientOptions = {
    protocolVersion,
    clean: false,
    clientId: settings.clientId,
    username: settings.username,
    keepalive: settings.keepalive,
    reschedulePings: false,
    reconnectPeriod: 0,
    connectTimeout: settings.connectTimeoutMs,
    resubscribe: false,
    queueQoSZero: false,
    rejectUnauthorized: settings.rejectUnauthorized,
    will: { topic: statusTopic, payload: cloudStatusPayload('offline', now), qos: 1, retain: true }
  }
  if (settings.password !== null) options.password = settings.password
  if (tls.ca !== undefined) options.ca = tls.ca
  if (tls.cert !== undefined) options.cert = tls.cert
  if (tls.key !== undefined) options.key = tls.key
  if (protocolVersion === 5) options.properties = { sessionExpiryInterval: settings.sessionExpirySeconds }
  return options
}
