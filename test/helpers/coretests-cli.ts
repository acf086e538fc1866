/** Run the built command line (`dist/bin/mango-broker.js`, as `npm start` does) to completion. */
import { spawn } from 'node:child_process'
import { BIN } from './process.js'

/** What a finished run printed and how it ended. */
export interface CliRun { readonly code: number | null, readonly signal: string | null, readonly stdout: string, readonly stderr: string }

/** Run `mango-broker ...args` with only PATH and `env` in its environment; killed and rejected after `ms`. */
export function runCli (args: readonly string[], env: Record<string, string> = {}, ms = 15000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`mango-broker ${args.join(' ')} did not exit within ${ms} ms; stderr: ${stderr.slice(-500)}`)) }, ms)
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }) })
  })
}

/** The JSON log lines of a run's stdout. */
export function logLines (stdout: string): Array<Record<string, unknown>> {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
}
