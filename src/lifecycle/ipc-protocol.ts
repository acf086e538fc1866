import { type HubPorts } from './hub.js'

/**
 * Messages from a forked hub to its parent (the Store App). Sent with `process.send`
 * (`child_process.fork`) or `process.parentPort.postMessage` (Electron `utilityProcess.fork`).
 */
export type HubToParent =
  | { readonly type: 'ready', readonly ports: HubPorts, readonly version: string, readonly pid: number }
  | { readonly type: 'status', readonly component: string, readonly state: string, readonly detail?: Record<string, unknown> }
  | { readonly type: 'error', readonly code: string, readonly message: string }

/** Messages from the parent to the hub. `shutdown`: close gracefully, then exit 0. */
export type ParentToHub = { readonly type: 'shutdown' }

export function isParentToHub (value: unknown): value is ParentToHub {
  return value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'shutdown'
}
