/** CPU time and memory of a process, read from /proc (Linux), and the machine's load. */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'

let clockTicks: number | null = null

/** Clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`, almost always 100). */
function ticksPerSecond (): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clockTicks = 100
    }
  }
  return clockTicks
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // the command name (field 2) may contain spaces and parentheses: count fields after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return (utime + stime) / ticksPerSecond()
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes (pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)
  return m === null ? Number.NaN : Number(m[1]) * 1024
}

/** Private resident memory in bytes (RssAnon: RSS without the mapped executable and libraries, which other processes share). */
export function rssAnonBytes (pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = /^RssAnon:\s+(\d+)\s+kB$/m.exec(status)
  return m === null ? Number.NaN : Number(m[1]) * 1024
}

/** Samples a process's RSS until stopped; the highest value seen. */
export function sampleRss (pid: number, everyMs = 250): { stop (): number } {
  let max = 0
  const read = (): void => {
    try { max = Math.max(max, rssBytes(pid)) } catch { /* the process ended: keep what was seen */ }
  }
  read()
  const timer = setInterval(read, everyMs)
  return { stop: () => { clearInterval(timer); read(); return max } }
}

/** The machine the figures come from, and how busy it was. */
export function machine (): { nproc: number, cpuModel: string, node: string, loadavg: number[], uptime: string } {
  let uptime = ''
  try { uptime = execFileSync('uptime', { encoding: 'utf8' }).trim() } catch { uptime = `loadavg ${loadavg().join(' ')}` }
  return { nproc: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadavg: loadavg(), uptime }
}
