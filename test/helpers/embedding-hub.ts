/** Run the built hub under the Store App supervisor in tests, and watch processes come and go. */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { fileURLToPath } from 'node:url'
import { type Test } from 'tap'
import { leafKeys } from '../../src/config/schema.js'
import { createHubSupervisor, SupervisorError, type HubProcessOptions, type HubSupervisor } from '../../src/supervisor/index.js'
import { BIN, hubArgs } from './process.js'
import { until } from './wait.js'

/** A stand-in for the hub that speaks the IPC protocol and misbehaves on request (`FAKE_HUB_MODE`). */
export const FAKE_HUB = fileURLToPath(new URL('../embedding/fixtures/fake-hub.mjs', import.meta.url))

/** A process that forks the hub, reports its pid, then waits to be killed: the Store App that dies. */
export const PARENT = fileURLToPath(new URL('../embedding/fixtures/parent.mjs', import.meta.url))

/**
 * Arguments every hub in these tests gets beyond ports and data directory. Once the `auth`
 * section is in the schema the default mode needs a salon and device tokens; these tests are
 * about processes, so they run the hub open with a salon id.
 */
export function extraHubArgs (): string[] {
  return leafKeys().some((l) => l.path === 'auth.mode') ? ['--set', 'auth.mode=open', '--salon-id', 's1'] : []
}

/** Loopback ports, WebSocket off, HTTP on a free port, plus {@link extraHubArgs}. */
export function embeddedHubArgs (dataDir: string, extra: readonly string[] = []): string[] {
  return [...hubArgs(dataDir), ...extraHubArgs(), ...extra]
}

/** What a supervised hub wrote on stdout and stderr, for assertions and failure messages. */
export interface Output { readonly text: () => string, readonly lines: () => Array<Record<string, unknown>> }

/**
 * A supervisor of the built hub (`dist/bin/mango-broker.js`) with output captured rather than
 * printed, stopped at teardown. Not started: attach listeners, then `start()`.
 */
export function supervisedHub (t: Test, dataDir: string, options: HubProcessOptions & { extra?: readonly string[] } = {}): { supervisor: HubSupervisor, output: Output } {
  let text = ''
  const { extra, ...rest } = options
  const supervisor = createHubSupervisor({
    entry: BIN,
    args: embeddedHubArgs(dataDir, extra),
    env: { PATH: process.env.PATH ?? '' },
    output: (_stream, chunk) => { text += chunk },
    ...rest
  })
  t.teardown(async () => { await supervisor.stop() })
  return {
    supervisor,
    output: {
      text: () => text,
      lines: () => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
    }
  }
}

/** True once the process no longer runs: gone, or a zombie nobody has reaped yet (Linux `/proc`). */
export function processGone (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

/** Wait (bounded) until the process is gone. */
export async function waitGone (pid: number, ms = 15000): Promise<void> {
  await until(() => processGone(pid), ms, `process ${pid} to exit`)
}

/** SIGKILL a pid at teardown if it still runs (a hub orphaned by a failed test). */
export function killAtTeardown (t: Test, pid: number): void {
  t.teardown(() => { if (!processGone(pid)) process.kill(pid, 'SIGKILL') })
}

/** A free loopback port, found by binding port 0 and closing. */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => { server.once('error', reject).listen(0, '127.0.0.1', resolve) })
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
  return port
}

/** Hold a loopback port for the whole test (closed at teardown), so a hub configured on it fails with exit 3. */
export async function occupiedPort (t: Test): Promise<number> {
  const server: Server = createServer()
  await new Promise<void>((resolve, reject) => { server.once('error', reject).listen(0, '127.0.0.1', resolve) })
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => { resolve() }) }))
  return (server.address() as { port: number }).port
}

/** The `SupervisorError` a promise rejects with; fails the test if it resolves or rejects with something else. */
export async function rejection (promise: Promise<unknown>): Promise<SupervisorError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof SupervisorError) return err
    throw err
  }
  throw new Error('expected a rejection with a SupervisorError')
}
