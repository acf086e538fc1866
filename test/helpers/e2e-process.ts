/**
 * The real hub as a child process (the built `dist/bin/mango-broker.js`, run `npm run build`
 * first) configured by a JSON file, for the end-to-end tests that kill or signal it: start on a
 * data directory, read its `/status` over HTTP, SIGKILL or SIGTERM it, start it again.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Test } from 'tap'
import { getJson, pollUntil } from './e2e-hub.js'
import { hubArgs, spawnHub, type HubProcess } from './process.js'

/** A hub process that has logged `ready`. */
export interface RunningHub {
  readonly proc: HubProcess
  readonly ports: { mqtt: number, ws: number | null, tls: number | null, http: number }
  /** `GET /status`, parsed. */
  status (): Promise<Record<string, unknown>>
  /** Poll `GET /status` until `check` holds (bounded). */
  waitForStatus (check: (s: Record<string, unknown>) => boolean, what: string, ms?: number): Promise<Record<string, unknown>>
}

/**
 * Spawn the hub with `config` written to `<dir>/hub-config.json` (dataDir `<dir>/data`, open auth
 * mode and free loopback ports unless `args` or the config say otherwise), and wait for `ready`.
 * `env` is the process environment beyond PATH (e.g. `MANGO_BROKER_BRIDGE_PASSWORD`).
 * Killed at teardown if still running.
 */
export async function startHubProcess (t: Test, dir: string, config: Record<string, unknown>, env: Record<string, string> = {}, args: readonly string[] = []): Promise<RunningHub> {
  const file = join(dir, 'hub-config.json')
  await mkdir(dir, { recursive: true })
  await writeFile(file, JSON.stringify(config, null, 2))
  const proc = spawnHub(t, hubArgs(join(dir, 'data'), ['--config', file, ...args]), env)
  const ready = await proc.ready(20_000)
  if (ready.http === null) throw new Error('the hub process has no HTTP port: /status cannot be read')
  const ports = { ...ready, http: ready.http }
  const status = async (): Promise<Record<string, unknown>> => await getJson(ports.http, '/status')
  return {
    proc,
    ports,
    status,
    waitForStatus: async (check, what, ms = 15_000) => await pollUntil(status, check, `hub /status: ${what}`, ms, 50)
  }
}

/** The `bridge` part of a hub `/status` document. */
export function bridgePart (s: Record<string, unknown>): { state: string, outbox: { messages: number }, lastError: { kind: string } | null } {
  return s.bridge as { state: string, outbox: { messages: number }, lastError: { kind: string } | null }
}
