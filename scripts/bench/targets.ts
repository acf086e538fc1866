/**
 * The brokers under test, started as real processes on a free loopback port with their data in
 * a fresh directory: the hub (the built `dist/bin/mango-broker.js` on its defaults, fsync on),
 * Mosquitto 2, plain Aedes + aedes-persistence-level (`test/fixtures/plain-aedes.mjs`) and the
 * floor, Aedes in memory (the same fixture with `--in-memory`).
 * Each can be stopped gracefully, SIGKILLed and started again on the same port and data.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { connect, createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HUB_BIN, openHubArgs } from '../../test/helpers/faults-hub-args.js'
import { MOSQUITTO, currentUser, mosquittoConf } from './mosquitto.js'
import { type TargetName } from './options.js'

const PLAIN_AEDES = fileURLToPath(new URL('../../test/fixtures/plain-aedes.mjs', import.meta.url))
const READY_MS = 20_000
const STOP_MS = 15_000

/** A broker process under test. */
export interface Target {
  readonly name: TargetName
  readonly port: number
  /** The broker's pid (the process /proc figures are read from). */
  pid (): number
  /** Start (again) on the same port and data directory; resolves once it accepts MQTT. */
  start (): Promise<void>
  /** SIGTERM and wait for the exit (SIGKILL past a deadline). */
  stop (): Promise<void>
  /** SIGKILL and wait for the exit. */
  kill (): Promise<void>
}

/** Arguments of the hub: loopback, free ports, no WebSocket, room for W5's 500 connections. */
export function hubArgs (dataDir: string, port: number): string[] {
  return ['--data-dir', dataDir, '--mqtt-host', '127.0.0.1', '--mqtt-port', String(port), '--http-host', '127.0.0.1', '--http-port', '0', '--ws-port', '0', '--set', 'limits.maxConnections=2000', ...openHubArgs()]
}

/** A loopback port that was free a moment ago. */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => { resolve() }) })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
  return port
}

/** Resolve once a TCP connection to the port succeeds (the broker listens), bounded. */
async function accepting (port: number, child: ChildProcess, tail: () => string): Promise<void> {
  const deadline = Date.now() + READY_MS
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`broker exited (${String(child.exitCode ?? child.signalCode)}) before listening: ${tail()}`)
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true) })
      s.once('error', () => { resolve(false) })
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`broker not listening on ${port} after ${READY_MS} ms: ${tail()}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Start a broker of the given kind with its data in `dir` (a fresh directory). */
export async function launchTarget (name: TargetName, dir: string, options: { cpuProfDir?: string, hubBin?: string | null, hubSet?: readonly string[] } = {}): Promise<Target> {
  const port = await freePort()
  let command: string
  let args: string[]
  if (name === 'mosquitto') {
    const conf = join(dir, 'mosquitto.conf')
    writeFileSync(conf, mosquittoConf({ port, dataDir: dir, user: currentUser() }))
    command = MOSQUITTO
    args = ['-c', conf]
  } else {
    command = process.execPath
    const prof = options.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir]
    args = name === 'hub'
      ? [...prof, options.hubBin ?? HUB_BIN, ...hubArgs(join(dir, 'data'), port), '--log-level', 'warn', ...(options.hubSet ?? []).flatMap((kv) => ['--set', kv])]
      : name === 'aedes-memory'
        ? [...prof, PLAIN_AEDES, '--in-memory', '--mqtt-host', '127.0.0.1', '--mqtt-port', String(port)]
        : [...prof, PLAIN_AEDES, '--data-dir', join(dir, 'data'), '--mqtt-host', '127.0.0.1', '--mqtt-port', String(port)]
  }
  let child: ChildProcess | null = null
  const lines: string[] = []
  const tail = (): string => lines.slice(-20).join('\n')

  const start = async (): Promise<void> => {
    if (child !== null) throw new Error(`${name} is already running`)
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir })
    child = proc
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(line)
      if (lines.length > 200) lines.splice(0, lines.length - 100)
    }
    proc.stdout?.on('data', keep)
    proc.stderr?.on('data', keep)
    proc.once('exit', () => { if (child === proc) child = null })
    await accepting(port, proc, tail)
  }

  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child
    if (proc === null) return
    const exited = new Promise<void>((resolve) => { proc.once('exit', () => { resolve() }) })
    proc.kill(signal)
    const timer = setTimeout(() => { proc.kill('SIGKILL') }, STOP_MS)
    await exited
    clearTimeout(timer)
    child = null
  }

  await start()
  return {
    name,
    port,
    pid: () => {
      if (child?.pid === undefined) throw new Error(`${name} is not running`)
      return child.pid
    },
    start,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL')
  }
}
