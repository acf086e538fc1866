/**
 * Devices of a real hub in `auth.mode: devices`: enrolled over the hub's own `POST /devices`
 * (admin bearer token), connected over MQTT with the returned credentials, publishing the seed's
 * envelope with their own identity as `source`.
 */
import { type Test } from 'tap'
import mqtt, { type MqttClient } from 'mqtt'
import { type RealHub } from './e2e-hub.js'
import { ADMIN_TOKEN } from './e2e-registry.js'

/** The `Authorization` header of the enrollment routes. */
export const ADMIN_HEADERS: Readonly<Record<string, string>> = { authorization: `Bearer ${ADMIN_TOKEN}` }

/** What `POST /devices` answers (201). */
export interface Enrolled {
  readonly token: string
  readonly username: string
  readonly clientId: string
  readonly supabase: string
  readonly device: { readonly deviceId: string, readonly deviceType: string, readonly salonId: string }
}

/** A JSON request to the hub's HTTP server (admin token by default); resolves status and parsed body. */
export async function hubRequest (hub: RealHub, method: string, path: string, body?: unknown, headers: Record<string, string> = ADMIN_HEADERS): Promise<{ status: number, json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${hub.ports.http as number}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  return { status: res.status, json: await res.json() as Record<string, unknown> }
}

/** Enrol a device over `POST /devices`; throws unless the hub answers 201. */
export async function enroll (hub: RealHub, deviceType: string, deviceId: string): Promise<Enrolled> {
  const res = await hubRequest(hub, 'POST', '/devices', { deviceType, deviceId })
  if (res.status !== 201) throw new Error(`enrolment of ${deviceId}: HTTP ${res.status} ${JSON.stringify(res.json)}`)
  return res.json as unknown as Enrolled
}

/** Connect with an enrolled device's credentials (MQTT 3.1.1); resolves the client, or rejects with the CONNACK error. Ended at teardown. */
export async function connectAs (t: Test, hub: RealHub, e: Enrolled): Promise<MqttClient> {
  const client = mqtt.connect({ host: '127.0.0.1', port: hub.ports.mqtt, clientId: e.clientId, username: e.username, password: e.token, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 })
  t.teardown(() => { client.end(true) })
  return await new Promise((resolve, reject) => {
    client.once('connect', () => { resolve(client) })
    client.once('error', reject)
  })
}

/** The seed's envelope with `e`'s identity as source (what the envelope check requires). */
export function envelopeFrom (e: Enrolled, id: string, payload: unknown = {}): string {
  return JSON.stringify({ id, timestamp: new Date().toISOString(), source: { deviceId: e.device.deviceId, deviceType: e.device.deviceType, salonId: e.device.salonId }, payload, version: 1 })
}
