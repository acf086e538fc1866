/**
 * Run the hub with Electron's `utilityProcess.fork` instead of Node's `child_process.fork`.
 * Electron is not a dependency: the Store App passes its own `utilityProcess` module, typed here
 * by the few members this adapter uses (Electron 22+). The hub then talks over
 * `process.parentPort`, which `src/lifecycle/ipc-child.ts` supports.
 */
import type { SpawnHub, SupervisedChild } from './types.js'

/** What the adapter uses of an Electron `UtilityProcess`. */
export interface UtilityProcessLike {
  /** Undefined until the process has spawned. */
  readonly pid: number | undefined
  readonly stdout: NodeJS.ReadableStream | null
  readonly stderr: NodeJS.ReadableStream | null
  postMessage (message: unknown): void
  kill (): boolean
  on (event: 'message', listener: (message: unknown) => void): unknown
  /** Electron reports the exit code; for a process ended by a signal, the signal's number. */
  on (event: 'exit', listener: (code: number) => void): unknown
}

/** What the adapter uses of Electron's `utilityProcess` module. */
export interface UtilityProcessModule {
  fork (modulePath: string, args: string[], options: {
    env: Record<string, string>
    execArgv: string[]
    cwd?: string
    stdio: Array<'ignore' | 'pipe' | 'inherit'>
    serviceName: string
  }): UtilityProcessLike
}

/**
 * A {@link SpawnHub} on Electron's `utilityProcess`:
 * `createHubSupervisor({ spawn: utilityProcessSpawner(utilityProcess), entry })`.
 * `kill()` sends SIGKILL by pid: Electron's own `kill()` is a SIGTERM on POSIX, which a hub that
 * is stuck starting or stopping may not act on.
 */
export function utilityProcessSpawner (utilityProcess: UtilityProcessModule, options: { serviceName?: string } = {}): SpawnHub {
  return (request) => {
    const child = utilityProcess.fork(request.entry, [...request.args], {
      // Electron's env type has no undefined values.
      env: Object.fromEntries(Object.entries(request.env).filter((e): e is [string, string] => e[1] !== undefined)),
      execArgv: [...request.execArgv],
      ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
      // Electron accepts only 'ignore' for stdin.
      stdio: ['ignore', request.stdout, 'pipe'],
      serviceName: options.serviceName ?? 'mango-broker'
    })
    let ended = false
    const supervised: SupervisedChild = {
      get pid () { return child.pid ?? null },
      stdout: child.stdout,
      stderr: child.stderr,
      send (message) { if (!ended) child.postMessage(message) },
      kill () {
        if (ended) return
        if (child.pid === undefined) { child.kill(); return }
        try {
          process.kill(child.pid, 'SIGKILL')
        } catch (err) {
          // ESRCH: it ended between the check and the kill; its 'exit' is on the way.
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
        }
      },
      onMessage (listener) { child.on('message', listener) },
      onExit (listener) {
        // Electron gives no signal name; a signal's number is a non-zero code, which is a crash.
        child.on('exit', (code) => { ended = true; listener(code, null) })
      }
    }
    return supervised
  }
}
