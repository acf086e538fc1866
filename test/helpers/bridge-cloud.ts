/**
 * "The cloud" for bridge scenarios: a real Mosquitto with TLS and passwords, reached by the bridge
 * either directly (MQTT 5) or through the 3.1.1-only front (see mosquitto-v311-front.ts).
 */
import { type Test } from 'tap'
import { type IClientOptions, type MqttClient } from 'mqtt'
import { collect, type Collector } from './bridge-wait.js'
import { startMosquitto, type Mosquitto, type MosquittoOptions } from './mosquitto.js'
import { startV311Front } from './mosquitto-v311-front.js'
import { makePki } from './tls.js'

/** Which cloud the bridge talks to. */
export type CloudKind = 'v5' | 'v311'

/** A running cloud. */
export interface Cloud {
  readonly kind: CloudKind
  readonly mosquitto: Mosquitto
  /** Where the bridge connects. */
  readonly url: string
  /** CA file the bridge must trust. */
  readonly ca: string
  readonly bridgeUser: string
  readonly bridgePassword: string
  /**
   * A cloud-side application client (MQTT 5, straight to Mosquitto), connected, with a collector
   * attached before CONNACK (so messages of a persistent session are not missed).
   */
  app (clientId: string, options?: IClientOptions): Promise<{ client: MqttClient, seen: Collector }>
  /** A bridge section pointing at this cloud, with fast reconnects; `extra` is merged over it. */
  bridgeSection (extra?: Record<string, unknown>): Record<string, unknown>
}

export const APP_USER = 'cloud-app'
const APP_PASSWORD = 'app-secret-never-logged'

/**
 * Start a cloud for `salonId` in `dir` (a directory of its own: `t.testdir()` wipes its directory
 * on every call, so give the cloud a subdirectory of the test's one); stopped at teardown.
 */
export async function startCloud (t: Test, kind: CloudKind, salonId: string, dir: string, options: { acls?: MosquittoOptions['acls'] } = {}): Promise<Cloud> {
  const pki = await makePki(dir, 'cloud')
  const bridgePassword = `bridge-token-${salonId}-never-logged`
  const mosquitto = await startMosquitto({
    dir,
    pki,
    users: { [salonId]: bridgePassword, [APP_USER]: APP_PASSWORD },
    plainListener: kind === 'v311',
    ...(options.acls !== undefined && { acls: options.acls })
  })
  t.teardown(async () => { await mosquitto.stop() })
  let url = mosquitto.url
  if (kind === 'v311') {
    const front = await startV311Front(pki, mosquitto.plainPort as number)
    t.teardown(async () => { await front.close() })
    url = front.url
  }
  return {
    kind,
    mosquitto,
    url,
    ca: pki.ca,
    bridgeUser: salonId,
    bridgePassword,
    app: async (clientId, extra = {}) => {
      let seen: Collector | null = null
      const client = await mosquitto.client(APP_USER, APP_PASSWORD, { clientId, protocolVersion: 5, ...extra }, (c) => { seen = collect(c) })
      return { client, seen: seen as unknown as Collector }
    },
    bridgeSection: (extra = {}) => ({
      url,
      password: bridgePassword,
      ca: pki.ca,
      keepalive: 5,
      backoff: { initialMs: 50, maxMs: 500 },
      ...extra
    })
  }
}
