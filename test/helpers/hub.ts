import { type Test } from 'tap'
import { validateConfig } from '../../src/config/validate.js'
import { createHub, type Hub, type HubPorts } from '../../src/lifecycle/hub.js'
import { createLogger } from '../../src/log/logger.js'
import { type AccessPolicy } from '../../src/broker/access.js'

/** A hub in this process on free loopback ports, with a fresh LevelDB in the test's directory, closed at teardown. */
export async function startHub (t: Test, overrides: Record<string, unknown> = {}, options: { dataDir?: string, policy?: AccessPolicy } = {}): Promise<{ hub: Hub, ports: HubPorts, dataDir: string }> {
  const dataDir = options.dataDir ?? `${t.testdir()}/data`
  const config = validateConfig(deepMerge({
    dataDir,
    mqtt: { host: '127.0.0.1', port: 0 },
    ws: { port: null },
    http: { host: '127.0.0.1', port: 0 },
    // the broker tests are about MQTT, not identity: open mode (deny rules only); test/auth covers the rest
    auth: { mode: 'open' },
    log: { level: 'silent' }
  }, overrides))
  const hub = createHub(config, { log: createLogger(config.log.level), ...(options.policy !== undefined ? { policy: options.policy } : {}) })
  const ports = await hub.start()
  t.teardown(async () => { await hub.close() })
  return { hub, ports, dataDir }
}

function deepMerge (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a }
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k]
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && cur !== null && typeof cur === 'object' && !Array.isArray(cur)
      ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
      : v
  }
  return out
}
