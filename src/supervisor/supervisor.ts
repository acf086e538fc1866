import { EventEmitter } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { HubPorts } from '../lifecycle/hub.js'
import { isHubToParent, SHUTDOWN } from '../lifecycle/ipc-protocol.js'
import { forkHub } from './fork-child.js'
import { DEFAULT_RESTART_POLICY, decideAfterExit, policyProblems, type RestartPolicy } from './restart-policy.js'
import { SupervisorError } from './supervisor-errors.js'
import type {
  HubExitInfo, HubProcessOptions, HubReadyInfo, HubStopResult, HubSupervisorApi, HubSupervisorEvents,
  SpawnHub, SpawnRequest, SupervisedChild, SupervisorState
} from './types.js'

/** The built command line next to this module (`dist/supervisor/` → `dist/bin/mango-broker.js`). */
export const DEFAULT_ENTRY = fileURLToPath(new URL('../bin/mango-broker.js', import.meta.url))

const TAIL_BYTES = 2048

interface Settings {
  readonly request: SpawnRequest
  readonly output: HubProcessOptions['output'] & {}
  readonly readyTimeoutMs: number
  readonly stopTimeoutMs: number
  readonly policy: RestartPolicy
  readonly spawn: SpawnHub
}

/** One forked process and what the supervisor learnt about it. */
interface Run {
  readonly child: SupervisedChild | null
  readonly spawnError: string | null
  pid: number | null
  ready: boolean
  timedOut: boolean
  forced: boolean
  error: { code: string, message: string } | null
  tail: string
  readyTimer: NodeJS.Timeout | null
  killTimer: NodeJS.Timeout | null
}

interface Deferred<T> { promise: Promise<T>, resolve: (v: T) => void, reject: (e: Error) => void, settled: boolean }

function deferred<T> (): Deferred<T> {
  const d = { settled: false } as Deferred<T>
  d.promise = new Promise<T>((resolve, reject) => {
    d.resolve = (v) => { if (!d.settled) { d.settled = true; resolve(v) } }
    d.reject = (e) => { if (!d.settled) { d.settled = true; reject(e) } }
  })
  return d
}

function settings (options: HubProcessOptions): Settings {
  const policy: RestartPolicy = { ...DEFAULT_RESTART_POLICY, ...options.restart }
  const readyTimeoutMs = options.readyTimeoutMs ?? 30000
  const stopTimeoutMs = options.stopTimeoutMs ?? 15000
  const problems = policyProblems(policy)
  if (!(readyTimeoutMs > 0)) problems.push(`readyTimeoutMs must be > 0 (received ${readyTimeoutMs})`)
  if (!(stopTimeoutMs > 0)) problems.push(`stopTimeoutMs must be > 0 (received ${stopTimeoutMs})`)
  if (problems.length > 0) throw new SupervisorError('MANGO_ERR_SUPERVISOR_OPTIONS', `invalid hub process options: ${problems.join('; ')}`)
  const output = options.output ?? 'inherit'
  const args = [
    ...(options.configFile != null ? ['--config', options.configFile] : []),
    ...(options.dataDir != null ? ['--data-dir', options.dataDir] : []),
    ...(options.args ?? [])
  ]
  return {
    request: {
      entry: options.entry ?? DEFAULT_ENTRY,
      args,
      env: options.env ?? process.env,
      execArgv: options.execArgv ?? [],
      cwd: options.cwd,
      stdout: typeof output === 'function' ? 'pipe' : output
    },
    output,
    readyTimeoutMs,
    stopTimeoutMs,
    policy,
    spawn: options.spawn ?? forkHub
  }
}

/** One line on how a process ended, for the `exit` event and error messages. */
function describeExit (run: Run, code: number | null, signal: string | null, readyTimeoutMs: number): string {
  const how = code !== null ? `exit code ${code}` : signal !== null ? `signal ${signal}` : 'ended without an exit code'
  const parts: string[] = []
  if (run.spawnError !== null) parts.push(`could not be started: ${run.spawnError}`)
  else if (run.timedOut) parts.push(`no ready message within ${readyTimeoutMs} ms, killed (${how})`)
  else parts.push(how)
  if (run.forced) parts.push('after the stop deadline')
  if (run.error !== null) parts.push(`(${run.error.code}: ${run.error.message})`)
  else {
    const tail = run.tail.replace(/\s+/g, ' ').trim()
    if (tail !== '') parts.push(`stderr: ${tail.slice(-400)}`)
  }
  return parts.join(' ')
}

/**
 * Runs the hub as a child process of the Store App: forks it, waits for `ready`, restarts it
 * after a crash with backoff, gives up on a crash loop, and stops it with the `shutdown`
 * message (SIGKILL only past the deadline). One-shot: after `stop()` create a new one.
 */
export class HubSupervisor extends EventEmitter<HubSupervisorEvents> implements HubSupervisorApi {
  readonly #s: Settings
  #state: SupervisorState = 'idle'
  #run: Run | null = null
  #ports: HubPorts | null = null
  #version: string | null = null
  #attempts = 0
  #restarts = 0
  #crashes: readonly number[] = []
  #lastExit: HubExitInfo | null = null
  #backoff: NodeJS.Timeout | null = null
  #first: Deferred<HubReadyInfo> | null = null
  #stopped: Deferred<HubStopResult> | null = null

  constructor (options: HubProcessOptions = {}) {
    super()
    this.#s = settings(options)
  }

  get state (): SupervisorState { return this.#state }
  get pid (): number | null { return this.#run?.pid ?? this.#run?.child?.pid ?? null }
  get ports (): HubPorts | null { return this.#ports }
  get version (): string | null { return this.#version }
  get restarts (): number { return this.#restarts }
  get lastExit (): HubExitInfo | null { return this.#lastExit }

  start (): Promise<HubReadyInfo> {
    if (this.#first === null) {
      this.#first = deferred()
      if (this.#state === 'idle') this.#spawn()
      else this.#first.reject(new SupervisorError('MANGO_ERR_SUPERVISOR_STOPPED', 'the hub supervisor was stopped before it was started'))
    }
    return this.#first.promise
  }

  stop (): Promise<HubStopResult> {
    if (this.#stopped !== null) return this.#stopped.promise
    this.#stopped = deferred()
    const run = this.#run
    if ((this.#state === 'starting' || this.#state === 'ready') && run !== null && run.child !== null) {
      this.#state = 'stopping'
      if (run.readyTimer !== null) clearTimeout(run.readyTimer)
      run.child.send(SHUTDOWN)
      const child = run.child
      run.killTimer = setTimeout(() => { run.forced = true; child.kill() }, this.#s.stopTimeoutMs)
      return this.#stopped.promise
    }
    if (this.#backoff !== null) clearTimeout(this.#backoff)
    this.#backoff = null
    this.#run = null
    if (this.#state !== 'gave-up') this.#state = 'stopped'
    this.#first?.reject(new SupervisorError('MANGO_ERR_SUPERVISOR_STOPPED', 'the hub supervisor was stopped before the hub was ready', this.#lastExit))
    this.#stopped.resolve({ exit: null })
    return this.#stopped.promise
  }

  #spawn (): void {
    this.#attempts++
    this.#state = 'starting'
    let child: SupervisedChild | null = null
    let spawnError: string | null = null
    try {
      child = this.#s.spawn(this.#s.request)
    } catch (err) {
      spawnError = err instanceof Error ? err.message : String(err)
    }
    const run: Run = { child, spawnError, pid: null, ready: false, timedOut: false, forced: false, error: null, tail: '', readyTimer: null, killTimer: null }
    this.#run = run
    if (child === null) {
      // Decide on the next turn, as for a real exit, so start() has returned first.
      setImmediate(() => { this.#ended(run, null, null) })
      return
    }
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      run.tail = (run.tail + chunk).slice(-TAIL_BYTES)
      this.#forward('stderr', chunk)
    })
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { this.#forward('stdout', chunk) })
    child.onMessage((message) => { this.#message(run, message) })
    child.onExit((code, signal) => { this.#ended(run, code, signal) })
    const started = child
    run.readyTimer = setTimeout(() => { run.timedOut = true; started.kill() }, this.#s.readyTimeoutMs)
    this.emit('spawn', { pid: child.pid, attempt: this.#attempts })
  }

  #forward (stream: 'stdout' | 'stderr', chunk: string): void {
    const output = this.#s.output
    if (typeof output === 'function') output(stream, chunk)
    else if (output === 'inherit') process[stream].write(chunk)
  }

  #message (run: Run, message: unknown): void {
    if (run !== this.#run || !isHubToParent(message)) return
    if (message.type === 'error') {
      run.error = { code: message.code, message: message.message }
      return
    }
    if (message.type === 'status') {
      this.emit('status', { component: message.component, state: message.state, ...(message.detail !== undefined ? { detail: message.detail } : {}) })
      return
    }
    if (run.ready) return
    run.ready = true
    run.pid = message.pid
    if (run.readyTimer !== null) clearTimeout(run.readyTimer)
    this.#ports = message.ports
    this.#version = message.version
    if (this.#state === 'stopping') {
      // stop() came while the hub was starting, possibly before it listened for messages: ask again.
      run.child?.send(SHUTDOWN)
      return
    }
    this.#state = 'ready'
    const info: HubReadyInfo = { pid: message.pid, ports: message.ports, version: message.version, restarts: this.#restarts }
    this.#first?.resolve(info)
    this.emit('ready', info)
  }

  #ended (run: Run, code: number | null, signal: string | null): void {
    if (run.readyTimer !== null) clearTimeout(run.readyTimer)
    if (run.killTimer !== null) clearTimeout(run.killTimer)
    if (this.#run !== run || this.#state === 'stopped' || this.#state === 'gave-up') return
    this.#run = null
    this.#ports = null
    const requested = this.#state === 'stopping'
    const info: HubExitInfo = {
      pid: run.pid ?? run.child?.pid ?? null,
      code,
      signal,
      requested,
      forced: run.forced,
      wasReady: run.ready,
      error: run.error,
      reason: describeExit(run, code, signal, this.#s.readyTimeoutMs),
      stderrTail: run.tail
    }
    this.#lastExit = info
    const decision = decideAfterExit({ code, signal, requested, timedOut: run.timedOut }, this.#crashes, Date.now(), this.#s.policy)
    this.#crashes = decision.crashes
    if (decision.action === 'stop') {
      this.#state = 'stopped'
      this.#first?.reject(requested
        ? new SupervisorError('MANGO_ERR_SUPERVISOR_STOPPED', 'the hub supervisor was stopped before the hub was ready', info)
        : new SupervisorError('MANGO_ERR_SUPERVISOR_EXITED', `the hub exited before it was ready: ${info.reason}`, info))
      this.#stopped?.resolve({ exit: info })
      this.emit('exit', info)
      return
    }
    if (decision.action === 'restart') {
      this.#state = 'backoff'
      this.#restarts++
      this.#backoff = setTimeout(() => { this.#backoff = null; this.#spawn() }, decision.delayMs)
      this.emit('exit', info)
      this.emit('restart', { restart: this.#restarts, delayMs: decision.delayMs, crashesInWindow: decision.crashes.length, reason: info.reason })
      return
    }
    this.#state = 'gave-up'
    const error = new SupervisorError('MANGO_ERR_SUPERVISOR_GAVE_UP', `mango-broker supervisor gave up: ${decision.reason}; last exit: ${info.reason}`, info)
    this.#first?.reject(error)
    this.emit('exit', info)
    this.emit('gave-up', error)
  }
}
