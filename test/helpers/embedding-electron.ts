/**
 * Electron's `utilityProcess`, emulated over Node's `child_process.fork` (Electron is not
 * installed here): the child gets `process.parentPort` from a preload, the parent object has
 * Electron's shape (pid only after spawn, `postMessage`, `kill()` as SIGTERM, `exit` with a code).
 */
import { fork } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { constants } from 'node:os'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type UtilityProcessLike, type UtilityProcessModule } from '../../src/supervisor/index.js'

/** The preload that gives a forked process an Electron-style `process.parentPort`. */
export const PARENT_PORT_SHIM = pathToFileURL(fileURLToPath(new URL('../embedding/fixtures/parent-port-shim.mjs', import.meta.url))).href

/** Every process the emulation forked, to check or clean up. */
export const forked: number[] = []

export const emulatedUtilityProcess: UtilityProcessModule = {
  fork (modulePath, args, options) {
    const child = fork(modulePath, args, {
      env: options.env,
      execArgv: ['--import', PARENT_PORT_SHIM, ...options.execArgv],
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      stdio: [options.stdio[0] ?? 'ignore', options.stdio[1] ?? 'inherit', options.stdio[2] ?? 'inherit', 'ipc']
    })
    if (child.pid !== undefined) forked.push(child.pid)
    const emitter = new EventEmitter()
    let spawned = false
    child.once('spawn', () => { spawned = true; emitter.emit('spawn') })
    child.on('message', (m) => { emitter.emit('message', m) })
    child.once('exit', (code, signal) => { emitter.emit('exit', code ?? (signal !== null ? constants.signals[signal] : 1)) })
    const up = Object.assign(emitter, {
      stdout: child.stdout,
      stderr: child.stderr,
      postMessage (message: unknown) { child.send(message as object) },
      kill () { return child.kill('SIGTERM') }
    })
    Object.defineProperty(up, 'pid', { get: () => spawned ? child.pid : undefined })
    return up as typeof up & UtilityProcessLike
  }
}
