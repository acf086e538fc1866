/**
 * The built `mango-broker` binary run as an operator would: `devices …` commands to completion,
 * and the hub itself as a child process on free loopback ports in devices mode.
 */
import { spawn } from 'node:child_process'
import { type Test } from 'tap'
import { BIN, spawnHub, type HubProcess } from './process.js'

/** How a finished command ended and what it printed. */
export interface BinRun { readonly code: number | null, readonly stdout: string, readonly stderr: string }

/** Run `mango-broker …args` with only PATH in its environment; killed and rejected after `ms`. */
export function runBin (args: readonly string[], ms = 20000): Promise<BinRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`mango-broker ${args.join(' ')} did not exit within ${ms} ms; stderr: ${stderr.slice(-500)}`)) }, ms)
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

/** The token a `devices add` or `devices rotate` printed (the `token: …` line), or throws. */
export function printedToken (run: BinRun): string {
  const line = run.stdout.split('\n').find((l) => l.startsWith('token: '))
  if (line === undefined) throw new Error(`no token line in: ${run.stdout}${run.stderr}`)
  return line.slice('token: '.length)
}

/** The built hub in devices mode (no `--set auth.mode=open`) for salon `salonId` on `dataDir`. */
export function spawnDevicesHub (t: Test, dataDir: string, salonId: string): HubProcess {
  return spawnHub(t, ['--data-dir', dataDir, '--salon-id', salonId, '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--http-port', '0', '--ws-port', '0'])
}
