import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { type Test } from 'tap'

/** The built command line, as `npm start` runs it. */
export const BIN = fileURLToPath(new URL('../../dist/bin/mango-broker.js', import.meta.url))

/** Plain Aedes + aedes-persistence-level, the baseline the defect tests must fail on. */
export const PLAIN_AEDES = fileURLToPath(new URL('../fixtures/plain-aedes.mjs', import.meta.url))

/** `MANGO_TEST_TARGET=plain-aedes` points the defect and durability tests at the baseline instead of the hub. */
export const TARGET = process.env.MANGO_TEST_TARGET === 'plain-aedes' ? 'plain-aedes' : 'hub'

export interface HubProcess {
  readonly child: ChildProcess
  /** Parsed JSON log lines so far. */
  readonly lines: Array<Record<string, unknown>>
  readonly stderr: () => string
  /** The ports of the `ready` line. */
  ready (ms?: number): Promise<{ mqtt: number, ws: number | null, tls: number | null, http: number | null }>
  /** Wait for a log line matching the predicate. */
  line (match: (l: Record<string, unknown>) => boolean, ms?: number, what?: string): Promise<Record<string, unknown>>
  /** Resolve the exit code (or signal name). */
  exited (ms?: number): Promise<number | string>
  kill (signal?: NodeJS.Signals): void
}

/** Spawn the built hub as a real child process; killed at teardown if still running. */
export function spawnHub (t: Test, args: readonly string[], env: Record<string, string> = {}, options: { target?: 'hub' | 'plain-aedes', wrap?: readonly string[] } = {}): HubProcess {
  const entry = (options.target ?? 'hub') === 'plain-aedes' ? PLAIN_AEDES : BIN
  const command = options.wrap === undefined ? process.execPath : options.wrap[0] as string
  const argv = options.wrap === undefined ? [entry, ...args] : [...options.wrap.slice(1), process.execPath, entry, ...args]
  const child = spawn(command, argv, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: Array<Record<string, unknown>> = []
  const listeners = new Set<() => void>()
  let buf = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk
    let nl: number
    while ((nl = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      try { lines.push(JSON.parse(text) as Record<string, unknown>) } catch { lines.push({ text }) }
    }
    for (const l of [...listeners]) l()
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { err += chunk })
  let exit: Promise<number | string> | null = null
  const exited = (): Promise<number | string> => {
    exit ??= child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve(child.exitCode ?? child.signalCode as string)
      : once(child, 'exit').then(([code, signal]) => (code as number | null) ?? (signal as string))
    return exit
  }
  void exited()
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited()
    }
  })
  const line = (match: (l: Record<string, unknown>) => boolean, ms = 10000, what = 'log line'): Promise<Record<string, unknown>> => new Promise((resolve, reject) => {
    const check = (): boolean => {
      const found = lines.find(match)
      if (found === undefined) return false
      cleanup()
      resolve(found)
      return true
    }
    const timer = setTimeout(() => { cleanup(); reject(new Error(`timed out after ${ms} ms waiting for ${what}; stderr: ${err.slice(-500)}`)) }, ms)
    const onExit = (): void => { if (!check()) { cleanup(); reject(new Error(`hub exited before ${what}; stderr: ${err.slice(-800)}`)) } }
    const cleanup = (): void => { clearTimeout(timer); listeners.delete(listener); child.off('exit', onExit) }
    const listener = (): void => { check() }
    if (check()) return
    listeners.add(listener)
    child.once('exit', onExit)
  })
  return {
    child,
    lines,
    stderr: () => err,
    line,
    ready: async (ms = 30000) => (await line((l) => l.msg === 'ready', ms, 'the ready line')).ports as { mqtt: number, ws: number | null, tls: number | null, http: number | null },
    exited: async (ms = 30000) => {
      let timer: NodeJS.Timeout | undefined
      try {
        return await Promise.race([exited(), new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`hub did not exit within ${ms} ms`)), ms) })])
      } finally { clearTimeout(timer) }
    },
    kill: (signal = 'SIGKILL') => { child.kill(signal) }
  }
}

/** The broker-level tests run the hub in open mode (deny rules only): identity is test/auth's subject. */
export const OPEN_MODE_ARGS = ['--set', 'auth.mode=open'] as const

/** Arguments for a hub on free loopback ports with its data in `dataDir`. */
export function hubArgs (dataDir: string, extra: readonly string[] = []): string[] {
  return ['--data-dir', dataDir, '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--http-port', '0', '--ws-port', '0', ...OPEN_MODE_ARGS, ...extra]
}

/** A hub (or, under MANGO_TEST_TARGET=plain-aedes, the baseline) on `dataDir`, ready. */
export async function startTarget (t: Test, dataDir: string, options: { wrap?: readonly string[] } = {}): Promise<{ proc: HubProcess, port: number }> {
  const proc = spawnHub(t, hubArgs(dataDir), {}, { target: TARGET, ...options })
  const ports = await proc.ready()
  return { proc, port: ports.mqtt }
}
