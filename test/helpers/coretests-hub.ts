/**
 * An in-process hub like `startHub` of hub.ts, but logging at info into memory, so a test can
 * assert on the log lines (a drop was logged, no payload was ever written).
 */
import { type Test } from 'tap'
import { validateConfig } from '../../src/config/validate.js'
import { createHub, type Hub, type HubPorts } from '../../src/lifecycle/hub.js'
import { createLogger } from '../../src/log/logger.js'

/** A hub whose JSON log lines are kept in `lines`, and the raw text in `text()`. */
export interface LoggedHub {
  readonly hub: Hub
  readonly ports: HubPorts
  readonly dataDir: string
  readonly lines: Array<Record<string, unknown>>
  text (): string
}

/** Start a hub on free loopback ports with a fresh LevelDB, logging into memory; closed at teardown. */
export async function startLoggedHub (t: Test, overrides: Record<string, unknown> = {}): Promise<LoggedHub> {
  const dataDir = `${t.testdir()}/data`
  const lines: Array<Record<string, unknown>> = []
  let raw = ''
  const base = { dataDir, mqtt: { host: '127.0.0.1', port: 0 }, ws: { port: null }, http: { host: '127.0.0.1', port: 0 }, auth: { mode: 'open' }, log: { level: 'info' } }
  const merged: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(overrides)) {
    const cur = merged[k]
    merged[k] = cur !== null && typeof cur === 'object' && v !== null && typeof v === 'object' ? { ...cur, ...v } : v
  }
  const config = validateConfig(merged)
  const log = createLogger('info', {
    write (s: string) {
      raw += s
      for (const line of s.split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
    }
  })
  const hub = createHub(config, { log })
  const ports = await hub.start()
  t.teardown(async () => { await hub.close() })
  return { hub, ports, dataDir, lines, text: () => raw }
}
