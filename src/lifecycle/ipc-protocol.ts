// `import type`, not `import { type X }`: under verbatimModuleSyntax the inline form still emits
// `import {} from './hub.js'`, which would load the whole hub (Aedes, LevelDB's native addon,
// Fastify) into the Store App's main process when the supervisor imports this module.
import type { HubPorts } from './hub.js'

/**
 * Messages from a forked hub to its parent (the Store App). Sent with `process.send`
 * (`child_process.fork`) or `process.parentPort.postMessage` (Electron `utilityProcess.fork`).
 *
 * - `ready`: once every listener is bound; `ports` are the bound ports (null where off).
 * - `status`: a part changed state (bridge, registry), e.g. `{ component: 'bridge', state: 'online' }`.
 * - `error`: sent once before a fatal exit; `code` is a stable `MANGO_ERR_*` code.
 */
export type HubToParent =
  | { readonly type: 'ready', readonly ports: HubPorts, readonly version: string, readonly pid: number }
  | { readonly type: 'status', readonly component: string, readonly state: string, readonly detail?: Record<string, unknown> }
  | { readonly type: 'error', readonly code: string, readonly message: string }

/** Messages from the parent to the hub. `shutdown`: close gracefully, then exit 0. */
export type ParentToHub = { readonly type: 'shutdown' }

/** The one message a parent sends: ask the hub to close gracefully and exit 0. */
export const SHUTDOWN: ParentToHub = Object.freeze({ type: 'shutdown' })

/** True for a message the hub must act on (`{type:'shutdown'}`); anything else is ignored. */
export function isParentToHub (value: unknown): value is ParentToHub {
  return value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'shutdown'
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function isPort (value: unknown): boolean {
  return value === null || (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535)
}

/**
 * True for a well-formed hub message, checked field by field: the parent receives whatever the
 * child process writes on the channel and must not trust its shape.
 */
export function isHubToParent (value: unknown): value is HubToParent {
  if (!isRecord(value)) return false
  switch (value.type) {
    case 'ready': {
      const ports = value.ports
      return isRecord(ports) && typeof ports.mqtt === 'number' && isPort(ports.mqtt) && isPort(ports.ws ?? null) &&
        isPort(ports.tls ?? null) && isPort(ports.http ?? null) &&
        typeof value.version === 'string' && typeof value.pid === 'number' && Number.isInteger(value.pid)
    }
    case 'status':
      return typeof value.component === 'string' && typeof value.state === 'string' && (value.detail === undefined || isRecord(value.detail))
    case 'error':
      return typeof value.code === 'string' && typeof value.message === 'string'
    default:
      return false
  }
}
