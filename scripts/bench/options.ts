/** The benchmark's command line and environment, parsed into one options object. Pure. */

export type TargetName = 'hub' | 'mosquitto' | 'plain-aedes' | 'aedes-memory'
export type WorkloadName = 'w1' | 'w2' | 'w3' | 'w4' | 'w5'

export interface BenchOptions {
  /** Short runs for development: one repetition, short durations. */
  readonly quick: boolean
  readonly reps: number
  readonly targets: readonly TargetName[]
  readonly workloads: readonly WorkloadName[]
  /** W1: seconds of salon load, messages per second over all 50 clients. */
  readonly w1Seconds: number
  readonly w1Rate: number
  /** W2 and W3: measured seconds per case (after a warm-up of a fifth of it). */
  readonly w2Seconds: number
  readonly w3Seconds: number
  /** W4: messages queued for the offline subscriber. */
  readonly w4Messages: number
  /** Client worker processes. */
  readonly workers: number
  /** Where the JSON result goes. */
  readonly out: string
  /** Also run the hub under `node --cpu-prof` on W2 QoS 1 10→10 and summarise the profile. */
  readonly profile: boolean
  /** Only profile (no comparison). */
  readonly profileOnly: boolean
  /** The load profiled: W2 QoS 1 10→10 (default) or W1. */
  readonly profileWorkload: 'w1' | 'w2' | 'w4'
  /** The hub's entry point (default: this checkout's `dist/bin/mango-broker.js`), to compare a build. */
  readonly hubBin: string | null
  /** Extra `--set KEY=VALUE` for the hub (experiments such as store.fsync=false; the figures then are not the defaults'). */
  readonly hubSet: readonly string[]
}

export const USAGE = `usage: npm run bench -- [options]
  --quick               one short repetition (development)
  --reps N              repetitions, alternating the brokers (default 3)
  --targets LIST        hub,mosquitto (default), add plain-aedes for the baseline,
                        aedes-memory for the floor (Aedes in memory, no durability)
  --baseline            same as adding plain-aedes to --targets
  --floor               same as adding aedes-memory to --targets
  --workloads LIST      w1,w2,w3,w4,w5 (default all)
  --w1-seconds N        salon load duration (default 30)
  --w1-rate N           salon load messages per second in total (default 200)
  --w2-seconds N        seconds per throughput case (default 10)
  --w3-seconds N        seconds of fan-out (default 10)
  --w4-messages N       messages queued for the offline subscriber (default 10000)
  --workers N           client processes (default 5)
  --out FILE            JSON result (default scripts/bench/results/bench-<time>.json)
  --profile             also profile the hub under W2 QoS 1 10→10 (node --cpu-prof)
  --profile-only        only the profile
  --profile-workload W  w2 (default: QoS 1 10→10), w1 (salon load) or w4 (the queue drain alone)
  --hub-bin FILE        benchmark another build of the hub (default dist/bin/mango-broker.js)
  --hub-set K=V,...     extra hub settings for an experiment (e.g. store.fsync=false)
Every option can also be set as MANGO_BENCH_<NAME> (e.g. MANGO_BENCH_REPS=5); flags win.`

const TARGETS: readonly TargetName[] = ['hub', 'mosquitto', 'plain-aedes', 'aedes-memory']
const WORKLOADS: readonly WorkloadName[] = ['w1', 'w2', 'w3', 'w4', 'w5']

/** Parse flags over environment; throws an Error naming the bad option. */
export function parseOptions (argv: readonly string[], env: Readonly<Record<string, string | undefined>>, now = new Date()): BenchOptions {
  const raw = new Map<string, string>()
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('MANGO_BENCH_') && v !== undefined) raw.set(k.slice(12).toLowerCase().replace(/_/g, '-'), v)
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (!arg.startsWith('--')) throw new Error(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`)
    const name = arg.slice(2)
    if (['quick', 'baseline', 'floor', 'profile', 'profile-only', 'help'].includes(name)) {
      raw.set(name, 'true')
      continue
    }
    const value = argv[++i]
    if (value === undefined) throw new Error(`${arg} needs a value\n${USAGE}`)
    raw.set(name, value)
  }
  const known = new Set(['quick', 'baseline', 'floor', 'profile', 'profile-only', 'help', 'reps', 'targets', 'workloads', 'w1-seconds', 'w1-rate', 'w2-seconds', 'w3-seconds', 'w4-messages', 'workers', 'out', 'profile-workload', 'hub-bin', 'hub-set'])
  for (const k of raw.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`)
  if (raw.get('help') === 'true') throw new Error(USAGE)
  const flag = (k: string): boolean => raw.get(k) === 'true' || raw.get(k) === '1'
  const quick = flag('quick')
  const num = (k: string, dflt: number, quickValue: number, min = 1): number => {
    const v = raw.get(k)
    if (v === undefined) return quick ? quickValue : dflt
    const n = Number(v)
    if (!Number.isFinite(n) || n < min) throw new Error(`--${k} must be a number ≥ ${min}, got ${JSON.stringify(v)}`)
    return n
  }
  const list = <T extends string>(k: string, all: readonly T[], dflt: readonly T[]): T[] => {
    const v = raw.get(k)
    if (v === undefined) return [...dflt]
    const items = v.split(',').map((s) => s.trim()).filter((s) => s !== '')
    for (const item of items) if (!all.includes(item as T)) throw new Error(`--${k}: unknown ${JSON.stringify(item)} (one of ${all.join(', ')})`)
    return items as T[]
  }
  const targets = list('targets', TARGETS, ['hub', 'mosquitto'])
  if (flag('baseline') && !targets.includes('plain-aedes')) targets.push('plain-aedes')
  if (flag('floor') && !targets.includes('aedes-memory')) targets.push('aedes-memory')
  const stamp = now.toISOString().replace(/[:.]/g, '-')
  return {
    quick,
    reps: num('reps', 3, 1),
    targets,
    workloads: list('workloads', WORKLOADS, WORKLOADS),
    w1Seconds: num('w1-seconds', 30, 5),
    w1Rate: num('w1-rate', 200, 200),
    w2Seconds: num('w2-seconds', 10, 2),
    w3Seconds: num('w3-seconds', 10, 2),
    w4Messages: num('w4-messages', 10000, 2000),
    workers: num('workers', 5, 5),
    out: raw.get('out') ?? `scripts/bench/results/bench-${stamp}.json`,
    profile: flag('profile') || flag('profile-only'),
    profileOnly: flag('profile-only'),
    profileWorkload: list('profile-workload', ['w1', 'w2', 'w4'] as const, ['w2'])[0] ?? 'w2',
    hubBin: raw.get('hub-bin') ?? null,
    hubSet: (raw.get('hub-set') ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '')
  }
}
