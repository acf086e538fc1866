/**
 * `npm run bench`: the hub against Mosquitto 2 (and, with --baseline, plain Aedes +
 * aedes-persistence-level) on W1–W5, alternating the brokers over repetitions; prints medians and
 * ratios and writes a JSON result. See docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HUB_BIN, openHubArgs } from '../../test/helpers/faults-hub-args.js'
import { ensureMosquitto } from './mosquitto.js'
import { parseOptions, type BenchOptions, type TargetName, type WorkloadName } from './options.js'
import { WorkerPool } from './pool.js'
import { machine } from './proc-stats.js'
import { profileHub, profileText, type ProfileSummary } from './profile.js'
import { medians, table, verdictList, verdicts, type Runs } from './report.js'
import { launchTarget } from './targets.js'
import { type Figures, type WorkloadContext } from './workload-context.js'
import { fanOut, salonLoad, throughput } from './workloads-load.js'
import { connects, offlineQueue } from './workloads-queue.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WORKLOADS: Record<WorkloadName, { title: string, run: (ctx: WorkloadContext) => Promise<Figures> }> = {
  w1: { title: 'W1 salon load', run: salonLoad },
  w2: { title: 'W2 throughput', run: throughput },
  w3: { title: 'W3 fan-out', run: fanOut },
  w4: { title: 'W4 offline queue', run: offlineQueue },
  w5: { title: 'W5 connects and idle memory', run: connects }
}

const log = (line: string): void => { process.stdout.write(line + '\n') }

/**
 * One short pass of every workload against one broker, figures discarded: the client workers
 * live for the whole run, and without it whichever broker came first would meet cold clients
 * (unoptimised mqtt.js; 50 connects took 460 ms then, 20-60 ms warm).
 */
async function warmUp (options: BenchOptions, pool: WorkerPool): Promise<void> {
  const quick: BenchOptions = { ...options, w1Seconds: 2, w2Seconds: 1, w3Seconds: 1, w4Messages: Math.min(options.w4Messages, 500) }
  const name = options.targets[0] as TargetName
  const dir = await mkdtemp(join(tmpdir(), `mango-bench-warmup-`))
  try {
    const target = await launchTarget(name, dir, { hubBin: options.hubBin, hubSet: options.hubSet })
    try {
      for (const w of options.workloads) await WORKLOADS[w].run({ pool, options: quick, target, log: () => {} })
    } finally {
      await target.stop()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function runAll (options: BenchOptions, pool: WorkerPool): Promise<Runs> {
  const runs: Runs = {}
  log(`warm-up pass (figures discarded) on ${options.targets[0] ?? ''}`)
  await warmUp(options, pool)
  for (let rep = 0; rep < options.reps; rep++) {
    // alternate: each repetition starts with the next broker
    const order = options.targets.map((_, i) => options.targets[(i + rep) % options.targets.length] as TargetName)
    for (const w of options.workloads) {
      for (const name of order) {
        const dir = await mkdtemp(join(tmpdir(), `mango-bench-${name}-`))
        try {
          log(`rep ${rep + 1}/${options.reps} ${WORKLOADS[w].title} on ${name}`)
          const target = await launchTarget(name, dir, { hubBin: options.hubBin, hubSet: options.hubSet })
          try {
            const figures = await WORKLOADS[w].run({ pool, options, target, log })
            const into = (runs[name] ??= {})
            for (const [k, v] of Object.entries(figures)) (into[k] ??= []).push(v)
          } finally {
            await target.stop()
          }
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      }
    }
  }
  return runs
}

async function main (): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env)
  if (!existsSync(HUB_BIN)) {
    log('building the hub (npm run build)')
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' })
  }
  if (options.targets.includes('mosquitto') && !options.profileOnly) ensureMosquitto(log)
  const before = machine()
  log(`machine: ${before.nproc} × ${before.cpuModel}, Node ${before.node}; ${before.uptime}`)
  log(`hub arguments beyond ports and data: ${openHubArgs().join(' ') || '(none)'}`)
  const pool = await WorkerPool.start(options.workers)
  let runs: Runs = {}
  let profile: ProfileSummary | null = null
  try {
    if (!options.profileOnly) runs = await runAll(options, pool)
    if (options.profile) profile = await profileHub(pool, options, log)
  } finally {
    await pool.close()
  }
  const after = machine()
  const m = medians(runs)
  const v = verdicts(m, options.w4Messages)
  if (!options.profileOnly) {
    log(`\nmedians of ${options.reps} repetition(s); load before ${before.loadavg.map((x) => x.toFixed(2)).join(' ')}, after ${after.loadavg.map((x) => x.toFixed(2)).join(' ')}\n`)
    log(table(m, options.targets))
    log('\ntargets (issue 7):')
    log(verdictList(v))
  }
  if (profile !== null) log('\n' + profileText(profile))
  const out = resolve(ROOT, options.out)
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, JSON.stringify({ options, machine: { before, after }, hubArgs: openHubArgs(), runs, medians: m, targets: v, profile }, null, 1) + '\n')
  log(`\nresult: ${out}`)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
})
