import { type EventEmitter } from 'node:events'
import { isParentToHub, type HubToParent } from './ipc-protocol.js'
import { VERSION, type HubPorts } from './hub.js'

/** Electron's utility process exposes its channel as `process.parentPort`. */
interface ParentPort {
  on (event: 'message', listener: (e: { data: unknown }) => void): void
  postMessage (message: unknown): void
}

/**
 * How often a hub under Electron's `utilityProcess` checks that its parent still runs: that
 * channel has no `disconnect` event, so an orphan notices by being reparented (POSIX) or by its
 * parent's pid no longer existing (Windows, where nothing is reparented).
 */
export const PARENT_CHECK_MS = 1000

/** True when the parent recorded at start is gone: reparented, or no such process any more. */
export function parentGone (startPpid: number, currentPpid: number, exists: (pid: number) => boolean): boolean {
  return currentPpid !== startPpid || !exists(startPpid)
}

function processExists (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The hub's side of the IPC channel; every method is a no-op when the process was not forked. */
export interface ParentLink {
  onShutdown (listener: () => void): void
  fatal (code: string, message: string): void
  detach (): void
}

/**
 * Connect a hub to the process that forked it: `ready` once listening, `status` on state
 * changes, `error` before a fatal exit; `shutdown` from the parent closes the hub gracefully,
 * and the hub also shuts down when the parent goes away, so no orphan keeps port 1883 and the
 * LevelDB lock (Node IPC: its `disconnect` event; Electron's parentPort: a check every
 * {@link PARENT_CHECK_MS} that the parent still runs).
 */
export function attachParent (hub: EventEmitter): ParentLink {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort
  const send = port !== undefined
    ? (m: HubToParent) => { port.postMessage(m) }
    : process.send !== undefined
      ? (m: HubToParent) => { if (process.connected) process.send?.(m) }
      : null
  const shutdownListeners: Array<() => void> = []
  const shutdown = (): void => { for (const l of shutdownListeners) l() }
  if (send === null) return { onShutdown: () => {}, fatal: () => {}, detach: () => {} }

  const onReady = (ports: HubPorts): void => { send({ type: 'ready', ports, version: VERSION, pid: process.pid }) }
  const onStatus = (s: { component: string, state: string, detail?: Record<string, unknown> }): void => { send({ type: 'status', ...s }) }
  const onMessage = (m: unknown): void => { if (isParentToHub(m)) shutdown() }
  hub.on('ready', onReady)
  hub.on('status', onStatus)
  let watchdog: NodeJS.Timeout | undefined
  if (port !== undefined) {
    port.on('message', (e) => { onMessage(e.data) })
    const startPpid = process.ppid
    watchdog = setInterval(() => {
      if (!parentGone(startPpid, process.ppid, processExists)) return
      clearInterval(watchdog)
      shutdown()
    }, PARENT_CHECK_MS).unref()
  } else {
    process.on('message', onMessage)
    process.once('disconnect', shutdown)
  }
  return {
    onShutdown: (listener) => { shutdownListeners.push(listener) },
    fatal: (code, message) => { send({ type: 'error', code, message }) },
    detach: () => {
      clearInterval(watchdog)
      hub.off('ready', onReady)
      hub.off('status', onStatus)
      process.off('message', onMessage)
      process.off('disconnect', shutdown)
      if (process.connected) process.disconnect?.()
    }
  }
}
