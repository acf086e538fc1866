/**
 * Client worker processes (`child_process.fork`), so the clients are spread over processes and
 * the parent only orchestrates. A round sets tasks up on several workers, starts them all at one
 * common time, collects their results and closes them.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { nowMs } from './clients.js'
import { type FromWorker, type Task, type ToWorker } from './tasks.js'

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url))
const TS_LOADER = import.meta.resolve('@tapjs/typescript/import')
const STEP_MS = 180_000

/** One task's outcome in a round. */
export interface Outcome<R> { readonly result: R, readonly cpuMs: number }

export class WorkerPool {
  readonly #workers: ChildProcess[]
  #nextId = 1
  /** One outstanding request per task id: the reply type it waits for. */
  readonly #waiting = new Map<number, { reply: FromWorker['type'], resolve (m: FromWorker): void, reject (err: Error): void }>()

  private constructor (workers: ChildProcess[]) {
    this.#workers = workers
    for (const w of workers) {
      w.on('message', (raw) => {
        const m = raw as FromWorker
        const waiter = this.#waiting.get(m.id)
        if (waiter === undefined || (m.type !== 'error' && m.type !== waiter.reply)) return
        this.#waiting.delete(m.id)
        if (m.type === 'error') waiter.reject(new Error(`worker task ${m.id}: ${m.message}`))
        else waiter.resolve(m)
      })
      w.on('exit', (code) => {
        for (const waiter of this.#waiting.values()) waiter.reject(new Error(`a client worker exited (${String(code)})`))
        this.#waiting.clear()
      })
    }
  }

  /** Fork `n` workers and wait until each is up. */
  static async start (n: number): Promise<WorkerPool> {
    const workers = Array.from({ length: n }, () => fork(WORKER, [], { execArgv: [`--import=${TS_LOADER}`], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
    const pool = new WorkerPool(workers)
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('a client worker did not start within 60 s')) }, 60_000)
      w.once('message', () => { clearTimeout(timer); resolve() })
    })))
    return pool
  }

  get size (): number { return this.#workers.length }

  #expect (worker: ChildProcess, message: ToWorker, reply: FromWorker['type']): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.#waiting.delete(message.id); reject(new Error(`worker task ${message.id}: no ${reply} within ${STEP_MS} ms`)) }, STEP_MS)
      this.#waiting.set(message.id, { reply, resolve: (m) => { clearTimeout(timer); resolve(m) }, reject: (e) => { clearTimeout(timer); reject(e) } })
      worker.send(message)
    })
  }

  /**
   * Run tasks, task i on worker i mod size: set all up, start all at one time `leadMs` from now
   * (`onStart` runs then), wait for every result, then (after `between`, e.g. a memory reading)
   * close them all.
   */
  async round<R> (tasks: readonly Task[], options: { leadMs?: number, onStart?: () => void, between?: () => Promise<void> | void } = {}): Promise<Array<Outcome<R>>> {
    const placed = tasks.map((task, i) => ({ task, id: this.#nextId++, worker: this.#workers[i % this.#workers.length] as ChildProcess }))
    try {
      await Promise.all(placed.map((p) => this.#expect(p.worker, { type: 'setup', id: p.id, task: p.task }, 'ready')))
      const at = nowMs() + (options.leadMs ?? 200)
      options.onStart?.()
      const done = await Promise.all(placed.map((p) => this.#expect(p.worker, { type: 'go', id: p.id, at }, 'done')))
      await options.between?.()
      return done.map((m) => m.type === 'done' ? { result: m.result as R, cpuMs: m.cpuMs } : { result: undefined as R, cpuMs: 0 })
    } finally {
      await Promise.allSettled(placed.map((p) => this.#expect(p.worker, { type: 'close', id: p.id }, 'closed')))
    }
  }

  /** Stop every worker. */
  async close (): Promise<void> {
    await Promise.all(this.#workers.map((w) => new Promise<void>((resolve) => {
      if (w.exitCode !== null || w.signalCode !== null) { resolve(); return }
      w.once('exit', () => { resolve() })
      w.disconnect()
    })))
  }
}
