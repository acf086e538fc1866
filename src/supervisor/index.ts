/**
 * The Store App's side of the hub: fork `mango-broker` as a child process and keep it running.
 * This module and what it imports load without the hub itself (no Aedes, no LevelDB addon), so
 * it is cheap to import in Electron's main process.
 */
import { HubSupervisor } from './supervisor.js'
import type { HubProcessOptions } from './types.js'

export { HubSupervisor, DEFAULT_ENTRY } from './supervisor.js'
export { forkHub } from './fork-child.js'
export { utilityProcessSpawner, type UtilityProcessLike, type UtilityProcessModule } from './electron-spawn.js'
export { SupervisorError, type SupervisorErrorCode } from './supervisor-errors.js'
export { DEFAULT_RESTART_POLICY, backoffDelay, classifyExit, decideAfterExit, type ExitFacts, type ExitKind, type RestartDecision, type RestartPolicy } from './restart-policy.js'
export type {
  HubExitInfo, HubProcessOptions, HubReadyInfo, HubRestartInfo, HubStatusInfo, HubStopResult, HubSupervisorApi,
  HubSupervisorEvents, SpawnHub, SpawnRequest, SupervisedChild, SupervisorState
} from './types.js'

/**
 * Create a supervisor without starting it, to attach listeners before the first fork:
 * `const hub = createHubSupervisor(opts); hub.on('restart', …); await hub.start()`.
 */
export function createHubSupervisor (options: HubProcessOptions = {}): HubSupervisor {
  return new HubSupervisor(options)
}

/**
 * Fork the hub and resolve once it reports `ready` (its ports are then on `supervisor.ports`).
 * Crashes are restarted with backoff (1 s, 2 s, 4 s, …); a crash loop or an invalid configuration
 * rejects with a `SupervisorError` (`MANGO_ERR_SUPERVISOR_GAVE_UP`) whose message says why.
 * Call `supervisor.stop()` when the app quits.
 */
export async function startHubProcess (options: HubProcessOptions = {}): Promise<HubSupervisor> {
  const supervisor = new HubSupervisor(options)
  await supervisor.start()
  return supervisor
}
