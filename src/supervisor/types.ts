/**
 * Types of the Store App's hub supervisor. Type-only imports (`import type`) keep the hub's own
 * modules out of the parent process: the supervisor must load without Aedes or LevelDB.
 */
import type { HubPorts } from '../lifecycle/hub.js'
import type { HubToParent } from '../lifecycle/ipc-protocol.js'
import type { RestartPolicy } from './restart-policy.js'
import type { SupervisorError } from './supervisor-errors.js'

/** What to start: the module to fork, its arguments and environment. */
export interface SpawnRequest {
  /** Absolute path of the hub's fork entry (by default the package's `dist/bin/mango-broker.js`). */
  readonly entry: string
  /** Command-line arguments of the hub (`--config`, `--data-dir` first, then `args`). */
  readonly args: readonly string[]
  /** The hub's environment. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Node options for the child (e.g. `--max-old-space-size=256`). */
  readonly execArgv: readonly string[]
  /** Working directory of the hub (a relative `dataDir` is resolved from it). */
  readonly cwd: string | undefined
  /** Whether the adapter should pipe the child's stdout (`pipe`), share the parent's (`inherit`) or drop it. */
  readonly stdout: 'inherit' | 'pipe' | 'ignore'
}

/**
 * One running hub process, as the supervisor needs it. {@link forkHub} adapts Node's
 * `child_process.fork`; an Electron app adapts `utilityProcess.fork` the same way (see the docs).
 */
export interface SupervisedChild {
  /** The OS process id, when known (Electron sets it after `spawn`); the `ready` message also carries it. */
  readonly pid: number | null
  /** The child's stdout when `SpawnRequest.stdout` is `pipe`. */
  readonly stdout: NodeJS.ReadableStream | null
  /** The child's stderr (always piped: its tail explains a failed start). Null if the platform cannot pipe it. */
  readonly stderr: NodeJS.ReadableStream | null
  /** Send a message on the IPC channel; a closed channel is not an error (the stop deadline covers it). */
  send (message: unknown): void
  /** End the process at once (SIGKILL; on Windows and in Electron this is the only kill there is). */
  kill (): void
  onMessage (listener: (message: unknown) => void): void
  /** Called once when the process has ended (or could not be started: code and signal null). */
  onExit (listener: (code: number | null, signal: string | null) => void): void
}

/** Starts one hub process. */
export type SpawnHub = (request: SpawnRequest) => SupervisedChild

/** Options of `startHubProcess` / `createHubSupervisor`. */
export interface HubProcessOptions {
  /** Module to fork. Default: the built `mango-broker` command next to this module (`dist/bin/mango-broker.js`). */
  readonly entry?: string
  /** JSON configuration file, passed as `--config FILE`. */
  readonly configFile?: string | null
  /** Data directory, passed as `--data-dir DIR`. */
  readonly dataDir?: string | null
  /** Further arguments, e.g. `['--salon-id', 'abc123', '--set', 'limits.maxConnections=80']`. Secrets belong in `env`. */
  readonly args?: readonly string[]
  /** The hub's whole environment (default: the parent's). Pass secrets such as `MANGO_BROKER_BRIDGE_PASSWORD` here. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Node options for the child process (default: none, so the parent's `--inspect` is not inherited). */
  readonly execArgv?: readonly string[]
  /** Working directory of the hub (default: the parent's). */
  readonly cwd?: string
  /**
   * The hub's output (JSON log lines on stdout, one-line reasons on stderr): `inherit` (default)
   * writes both to the parent's stdout/stderr, `ignore` drops them, a function receives each chunk
   * (e.g. to append to the Store App's log file).
   */
  readonly output?: 'inherit' | 'ignore' | ((stream: 'stdout' | 'stderr', chunk: string) => void)
  /** How long a start may take until `ready` before the process is killed and counted as a crash. Default 30000. */
  readonly readyTimeoutMs?: number
  /**
   * How long `stop()` waits for exit after sending `shutdown` before SIGKILL. Default 15000; keep it
   * above the hub's `shutdown.timeoutMs` (10000 by default).
   */
  readonly stopTimeoutMs?: number
  /** Restart backoff and crash-loop limits; unset keys keep {@link DEFAULT_RESTART_POLICY}. */
  readonly restart?: Partial<RestartPolicy>
  /** How to start a process. Default: Node's `child_process.fork` ({@link forkHub}). */
  readonly spawn?: SpawnHub
}

/**
 * `idle`: created, not started. `starting`: forked, waiting for `ready`. `ready`: listening.
 * `backoff`: crashed, waiting to restart. `stopping`: `shutdown` sent. `stopped`: ended by `stop()`
 * or a graceful exit 0. `gave-up`: crash loop or invalid configuration; nothing runs.
 */
export type SupervisorState = 'idle' | 'starting' | 'ready' | 'backoff' | 'stopping' | 'stopped' | 'gave-up'

/** Payload of the `ready` event: the hub is listening. */
export interface HubReadyInfo {
  readonly pid: number
  readonly ports: HubPorts
  readonly version: string
  /** Restarts so far (0 for the first start). */
  readonly restarts: number
}

/** Payload of the `exit` event: one hub process ended. */
export interface HubExitInfo {
  readonly pid: number | null
  readonly code: number | null
  readonly signal: string | null
  /** True when `stop()` asked for it. */
  readonly requested: boolean
  /** True when `stop()` had to SIGKILL after `stopTimeoutMs`. */
  readonly forced: boolean
  /** Whether this process had reported `ready`. */
  readonly wasReady: boolean
  /** The `error` message the hub sent before exiting, if any. */
  readonly error: { readonly code: string, readonly message: string } | null
  /** One line: why it ended, e.g. `exit code 3 (MANGO_ERR_LISTEN: MQTT port 1883 on 0.0.0.0 is already in use (another broker running?))`. */
  readonly reason: string
  /** The last lines the process wrote on stderr (at most 2 KiB). */
  readonly stderrTail: string
}

/** Payload of the `restart` event: a restart is scheduled. */
export interface HubRestartInfo {
  /** 1 for the first restart since `start()`. */
  readonly restart: number
  readonly delayMs: number
  /** Crashes counted in the current window, this one included. */
  readonly crashesInWindow: number
  /** Why the previous process ended ({@link HubExitInfo.reason}). */
  readonly reason: string
}

/** A `status` message of the hub (bridge or registry state change). */
export type HubStatusInfo = Omit<Extract<HubToParent, { type: 'status' }>, 'type'>

/** Events of a {@link HubSupervisorApi}, with their listener arguments. */
export interface HubSupervisorEvents {
  /** A process was forked (`attempt` counts from 1). */
  spawn: [info: { readonly pid: number | null, readonly attempt: number }]
  ready: [info: HubReadyInfo]
  status: [info: HubStatusInfo]
  exit: [info: HubExitInfo]
  restart: [info: HubRestartInfo]
  /** Crash loop or invalid configuration: the supervisor stopped restarting. */
  'gave-up': [error: SupervisorError]
}

/** What `stop()` resolves. */
export interface HubStopResult {
  /** The last process's exit, or null when none was running (idle, waiting to restart, already ended). */
  readonly exit: HubExitInfo | null
}

/** The supervisor's public face (implemented by `HubSupervisor`). */
export interface HubSupervisorApi {
  readonly state: SupervisorState
  /** The running hub's pid, or null. */
  readonly pid: number | null
  /** The ports of the last `ready`, or null before it and after the process ended. */
  readonly ports: HubPorts | null
  /** The hub version of the last `ready`. */
  readonly version: string | null
  /** Restarts since `start()`. */
  readonly restarts: number
  /** The last exit seen. */
  readonly lastExit: HubExitInfo | null
  /** Fork the hub; resolves at the first `ready`, rejects with a `SupervisorError` if it gives up or is stopped first. */
  start (): Promise<HubReadyInfo>
  /** Send `shutdown`, wait for exit (SIGKILL after `stopTimeoutMs`); cancels a pending restart. Idempotent. */
  stop (): Promise<HubStopResult>
}
