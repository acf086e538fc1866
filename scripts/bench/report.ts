/** The result table, the targets checked against it, and the JSON document. Pure. */
import { median, ratio } from './stats.js'
import { type TargetName } from './options.js'

/** Per broker, per metric: the value of each repetition. */
export type Runs = Partial<Record<TargetName, Record<string, number[]>>>

interface Row { readonly key: string, readonly label: string, readonly better: 'lower' | 'higher' | 'info', readonly digits: number }

export const ROWS: readonly Row[] = [
  { key: 'w1.p50Ms', label: 'W1 salon load: latency p50 (ms)', better: 'lower', digits: 2 },
  { key: 'w1.p95Ms', label: 'W1 latency p95 (ms)', better: 'lower', digits: 2 },
  { key: 'w1.p99Ms', label: 'W1 latency p99 (ms)', better: 'lower', digits: 2 },
  { key: 'w1.maxMs', label: 'W1 latency max (ms)', better: 'lower', digits: 1 },
  { key: 'w1.deliveries', label: 'W1 deliveries owed', better: 'info', digits: 0 },
  { key: 'w1.lost', label: 'W1 deliveries lost', better: 'lower', digits: 0 },
  { key: 'w1.duplicates', label: 'W1 duplicate deliveries', better: 'lower', digits: 0 },
  { key: 'w1.brokerCpuPct', label: 'W1 broker CPU (% of a core)', better: 'lower', digits: 1 },
  { key: 'w1.brokerCpuUsPerDelivery', label: 'W1 broker CPU per delivery (µs)', better: 'lower', digits: 1 },
  { key: 'w1.brokerRssMaxMb', label: 'W1 broker RSS max (MB)', better: 'lower', digits: 1 },
  ...[0, 1, 2].flatMap((q) => [1, 10].map((n) => ({ key: `w2.q${q}.${n}to${n}.msgPerSec`, label: `W2 QoS ${q} ${n}→${n} (msg/s)`, better: 'higher' as const, digits: 0 }))),
  ...[0, 1, 2].map((q) => ({ key: `w2.q${q}.10to10.brokerCpuUsPerMsg`, label: `W2 QoS ${q} 10→10 broker CPU per message (µs)`, better: 'lower' as const, digits: 1 })),
  { key: 'w3.deliveriesPerSec', label: 'W3 fan-out 1→50 QoS 1 (deliveries/s)', better: 'higher', digits: 0 },
  { key: 'w3.brokerCpuUsPerDelivery', label: 'W3 broker CPU per delivery (µs)', better: 'lower', digits: 2 },
  { key: 'w4.enqueuePerSec', label: 'W4 enqueue for offline subscriber (msg/s)', better: 'higher', digits: 0 },
  { key: 'w4.drainMs', label: 'W4 reconnect drain (ms)', better: 'lower', digits: 0 },
  { key: 'w4.drainBrokerCpuMs', label: 'W4 broker CPU during the drain (ms)', better: 'lower', digits: 0 },
  { key: 'w4.drainReceived', label: 'W4 drained', better: 'higher', digits: 0 },
  { key: 'w4.gracefulRecovered', label: 'W4 recovered after graceful restart', better: 'higher', digits: 0 },
  { key: 'w4.killRecovered', label: 'W4 recovered after SIGKILL', better: 'higher', digits: 0 },
  { key: 'w5.connect50Ms', label: 'W5 50 simultaneous connects (ms)', better: 'lower', digits: 1 },
  { key: 'w5.connect50AgainMs', label: 'W5 50 connects again, broker warm (ms)', better: 'lower', digits: 1 },
  { key: 'w5.connect500Ms', label: 'W5 500 simultaneous connects (ms)', better: 'lower', digits: 1 },
  { key: 'w5.rssIdle0Mb', label: 'W5 idle RSS, 0 clients (MB)', better: 'lower', digits: 1 },
  { key: 'w5.rssIdle50Mb', label: 'W5 idle RSS, 50 clients (MB)', better: 'lower', digits: 1 },
  { key: 'w5.rssAnonIdle0Mb', label: 'W5 idle private memory (RssAnon), 0 clients (MB)', better: 'lower', digits: 1 },
  { key: 'w5.rssAnonIdle50Mb', label: 'W5 idle private memory (RssAnon), 50 clients (MB)', better: 'lower', digits: 1 }
]

/** The median of every metric per broker. */
export function medians (runs: Runs): Partial<Record<TargetName, Record<string, number>>> {
  const out: Partial<Record<TargetName, Record<string, number>>> = {}
  for (const [target, metrics] of Object.entries(runs) as Array<[TargetName, Record<string, number[]>]>) {
    out[target] = Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, median(v)]))
  }
  return out
}

/** One of the targets, checked. */
export interface Verdict { readonly target: string, readonly value: string, readonly met: boolean | null }

/** The targets, on the medians (null: not measured in this run). */
export function verdicts (m: Partial<Record<TargetName, Record<string, number>>>, w4Messages: number): Verdict[] {
  const hub = m.hub ?? {}
  const mq = m.mosquitto ?? {}
  const r = (k: string): number => ratio(hub[k], mq[k])
  const check = (target: string, value: number, ok: (v: number) => boolean, show: (v: number) => string): Verdict =>
    ({ target, value: Number.isFinite(value) ? show(value) : 'not measured', met: Number.isFinite(value) ? ok(value) : null })
  const x = (v: number): string => `${v.toFixed(2)}×`
  return [
    check('W1: 0 deliveries lost', hub['w1.lost'] ?? Number.NaN, (v) => v === 0, (v) => `${v} lost`),
    check('W1: p99 ≤ 1.5× Mosquitto', r('w1.p99Ms'), (v) => v <= 1.5, x),
    check('W2: QoS 1 10→10 ≥ 0.75× Mosquitto', r('w2.q1.10to10.msgPerSec'), (v) => v >= 0.75, x),
    check('W3: fan-out ≥ 0.5× Mosquitto', r('w3.deliveriesPerSec'), (v) => v >= 0.5, x),
    check('W4: reconnect drain ≤ 2× Mosquitto', r('w4.drainMs'), (v) => v <= 2, x),
    check(`W4: ${w4Messages} of ${w4Messages} recovered after SIGKILL`, hub['w4.killRecovered'] ?? Number.NaN, (v) => v === w4Messages, (v) => `${v} of ${w4Messages}`),
    check('W5: 50 connects ≤ 30 ms', hub['w5.connect50Ms'] ?? Number.NaN, (v) => v <= 30, (v) => `${v.toFixed(1)} ms`),
    check('W5: RSS with 50 clients ≤ 60 MB', hub['w5.rssIdle50Mb'] ?? Number.NaN, (v) => v <= 60, (v) => `${v.toFixed(1)} MB`)
  ]
}

function fmt (v: number | undefined, digits: number): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits)
}

/** The Markdown result table: medians per broker and the ratio of each to Mosquitto. */
export function table (m: Partial<Record<TargetName, Record<string, number>>>, targets: readonly TargetName[]): string {
  const others = targets.filter((t) => t !== 'mosquitto')
  const head = ['metric', ...targets, ...(targets.includes('mosquitto') ? others.map((t) => `${t} / mosquitto`) : [])]
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => i === 0 ? ' --- ' : ' ---: ').join('|')}|`]
  for (const row of ROWS) {
    if (targets.every((t) => m[t]?.[row.key] === undefined)) continue
    const values = targets.map((t) => fmt(m[t]?.[row.key], row.digits))
    const ratios = targets.includes('mosquitto') ? others.map((t) => row.better === 'info' ? '' : fmt(ratio(m[t]?.[row.key], m.mosquitto?.[row.key]), 2)) : []
    lines.push(`| ${[row.label, ...values, ...ratios].join(' | ')} |`)
  }
  return lines.join('\n')
}

/** The targets as a Markdown list. */
export function verdictList (v: readonly Verdict[]): string {
  return v.map((x) => `- ${x.met === null ? '·' : x.met ? 'met' : '**missed**'}: ${x.target}: ${x.value}`).join('\n')
}
