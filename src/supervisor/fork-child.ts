import { fork, type ChildProcess } from 'node:child_process'
import type { SpawnRequest, SupervisedChild } from './types.js'

/**
 * The default {@link SpawnHub}: Node's `child_process.fork` with an IPC channel, stdin closed,
 * stderr piped (the supervisor keeps its tail to explain a failed start).
 */
export function forkHub (request: SpawnRequest): SupervisedChild {
  const child: ChildProcess = fork(request.entry, [...request.args], {
    env: { ...request.env },
    execArgv: [...request.execArgv],
    ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
    stdio: ['ignore', request.stdout, 'pipe', 'ipc'],
    serialization: 'json'
  })
  const exitListeners: Array<(code: number | null, signal: string | null) => void> = []
  let ended = false
  const end = (code: number | null, signal: string | null): void => {
    if (ended) return
    ended = true
    for (const l of exitListeners) l(code, signal)
  }
  // 'close', not 'exit': it comes after stderr has been read to its end, so the tail is complete.
  child.once('close', (code, signal) => { end(code, signal) })
  // 'error' without a pid: the process could not be spawned and no 'exit' follows. Later
  // 'error's come from kill() or send() on a process that is ending, which 'exit' reports.
  child.on('error', () => { if (child.pid === undefined) end(null, null) })
  return {
    get pid () { return child.pid ?? null },
    stdout: child.stdout,
    stderr: child.stderr,
    send (message) {
      if (!child.connected) return
      // The callback receives ERR_IPC_CHANNEL_CLOSED when the hub is already going away; the
      // supervisor's stop deadline handles that case, so the error needs no other handling.
      child.send(message as object, () => {})
    },
    kill () { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') },
    onMessage (listener) { child.on('message', listener) },
    onExit (listener) { exitListeners.push(listener) }
  }
}
