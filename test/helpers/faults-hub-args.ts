/**
 * The one place that says how the fault suite and the benchmarks start the hub beyond ports and
 * data directory: devices are admitted without credentials (`auth.mode=open`, salon `s1`) once
 * this build knows `auth.mode`; a build without it admits everyone already and gets no extra
 * arguments. Decided by asking the built hub itself (`config check`), once per process.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The built command line. */
export const HUB_BIN = fileURLToPath(new URL('../../dist/bin/mango-broker.js', import.meta.url))

const OPEN = ['--set', 'auth.mode=open', '--salon-id', 's1'] as const

let cached: readonly string[] | null = null

/** `--set auth.mode=open --salon-id s1` when the built hub accepts them, else nothing. */
export function openHubArgs (): readonly string[] {
  if (cached === null) {
    const check = spawnSync(process.execPath, [HUB_BIN, 'config', 'check', ...OPEN], { encoding: 'utf8', timeout: 30000 })
    cached = check.status === 0 ? OPEN : []
  }
  return cached
}

/** Arguments of a hub on free loopback ports (WebSocket off unless `wsPort`) with its data in `dataDir`. */
export function faultHubArgs (dataDir: string, extra: readonly string[] = []): string[] {
  return ['--data-dir', dataDir, '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--http-port', '0', '--ws-port', '0', ...openHubArgs(), ...extra]
}
