/** Where the hub's time goes under W2 QoS 1 10→10: the hub runs under `node --cpu-prof`. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sliceProfile, summarizeProfile, type CpuProfile } from './cpu-profile.js'
import { type BenchOptions } from './options.js'
import { type WorkerPool } from './pool.js'
import { launchTarget } from './targets.js'
import { pairs, salonLoad } from './workloads-load.js'
import { offlineDrain } from './workloads-queue.js'

export type ProfileSummary = ReturnType<typeof summarizeProfile> & { readonly workload: string, readonly figure: string }

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n)

/** Profile the hub under W2 QoS 1 10→10 (or W1's salon load), only the samples of the load itself. */
export async function profileHub (pool: WorkerPool, options: BenchOptions, log: (line: string) => void): Promise<ProfileSummary> {
  const dir = await mkdtemp(join(tmpdir(), 'mango-bench-prof-'))
  try {
    const profDir = join(dir, 'prof')
    const target = await launchTarget('hub', dir, { cpuProfDir: profDir, hubBin: options.hubBin, hubSet: options.hubSet })
    let figure = ''
    let fromUs = 0
    let toUs = 0
    try {
      fromUs = monotonicUs()
      if (options.profileWorkload === 'w1') {
        const f = await salonLoad({ pool, options, target, log })
        figure = `p50 ${(f['w1.p50Ms'] ?? 0).toFixed(1)} ms, p99 ${(f['w1.p99Ms'] ?? 0).toFixed(1)} ms, CPU ${(f['w1.brokerCpuPct'] ?? 0).toFixed(0)}%`
      } else if (options.profileWorkload === 'w4') {
        const drained = await offlineDrain({ pool, options, target, log }, async (during) => {
          fromUs = monotonicUs()
          try { return await during() } finally { toUs = monotonicUs() }
        })
        figure = `${drained.count} messages drained in ${Math.round(drained.ms)} ms`
      } else {
        figure = `${Math.round((await pairs({ pool, options, target, log }, 1, 10)).rate)} msg/s`
      }
      if (options.profileWorkload !== 'w4') toUs = monotonicUs()
    } finally {
      // the profile is written when the process exits normally (SIGTERM → graceful stop)
      await target.stop()
    }
    const files = (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile'))
    if (files.length === 0) throw new Error('the hub wrote no .cpuprofile')
    const profile = JSON.parse(await readFile(join(profDir, files[0] as string), 'utf8')) as CpuProfile
    return { ...summarizeProfile(sliceProfile(profile, fromUs, toUs)), workload: PROFILED[options.profileWorkload], figure }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const PROFILED = { w1: 'W1 salon load', w2: 'W2 QoS 1 10→10', w4: 'W4 reconnect drain' } as const

/** The summary as text lines. */
export function profileText (p: ProfileSummary): string {
  const pct = (v: number): string => `${v.toFixed(1).padStart(5)}%`
  return [
    `hub under ${p.workload}: ${p.figure}; ${(p.sampledMs / 1000).toFixed(1)} s sampled during the load, idle ${p.idlePct.toFixed(1)}%`,
    'by part (self, inclusive):',
    ...p.parts.map((f) => `  ${pct(f.selfPct)} ${pct(f.totalPct)}  ${f.name}`),
    'top functions (self, inclusive):',
    ...p.functions.map((f) => `  ${pct(f.selfPct)} ${pct(f.totalPct)}  ${f.name}`)
  ].join('\n')
}
