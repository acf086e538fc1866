/** W1 (salon load), W2 (throughput 1→1 and 10→10 at QoS 0/1/2) and W3 (fan-out 1→50). */
import { chunks, MB, type Figures, type WorkloadContext } from './workload-context.js'
import { cpuSeconds, sampleRss } from './proc-stats.js'
import { nowMs } from './clients.js'
import { summarize } from './stats.js'
import { type CountResult, type SalonResult, type Task } from './tasks.js'

const SALONS = 5
const PER_SALON = 10
const W1_PAYLOAD = 1024
const W2_PAYLOAD = 256
const WINDOW = 20

/** W1: 50 persistent clients in 5 salons, 1 KB envelopes at QoS 1, `w1Rate` msg/s in total. */
export async function salonLoad (ctx: WorkloadContext): Promise<Figures> {
  const { options, target } = ctx
  const tasks: Task[] = Array.from({ length: SALONS }, (_, s) => ({
    kind: 'salon',
    port: target.port,
    salons: [{ salon: `s${s}`, clientIds: Array.from({ length: PER_SALON }, (_, i) => `check-in-s${s}-${i}`) }],
    ratePerClient: options.w1Rate / (SALONS * PER_SALON),
    durationMs: options.w1Seconds * 1000,
    payloadBytes: W1_PAYLOAD,
    settleMs: 10_000
  }))
  const pid = target.pid()
  let cpu0 = 0
  let t0 = 0
  let rss: { stop (): number } | null = null
  let cpu = 0
  let wall = 0
  const outcomes = await ctx.pool.round<SalonResult>(tasks, {
    leadMs: 500,
    onStart: () => { cpu0 = cpuSeconds(pid); t0 = nowMs(); rss = sampleRss(pid) },
    between: () => { cpu = cpuSeconds(pid) - cpu0; wall = (nowMs() - t0) / 1000 }
  })
  const rssMax = (rss as { stop (): number } | null)?.stop() ?? Number.NaN
  const results = outcomes.map((o) => o.result)
  const lat = summarize(results.flatMap((r) => r.latencies))
  const sum = (f: (r: SalonResult) => number): number => results.reduce((n, r) => n + f(r), 0)
  return {
    'w1.p50Ms': lat.p50,
    'w1.p95Ms': lat.p95,
    'w1.p99Ms': lat.p99,
    'w1.maxMs': lat.max,
    'w1.deliveries': sum((r) => r.expected),
    'w1.lost': sum((r) => r.lost),
    'w1.duplicates': sum((r) => r.duplicates),
    'w1.unacked': sum((r) => r.sent - r.acked),
    'w1.brokerCpuPct': (cpu / wall) * 100,
    'w1.brokerCpuUsPerDelivery': (cpu * 1e6) / Math.max(1, sum((r) => r.received)),
    'w1.brokerRssMaxMb': rssMax / MB,
    'w1.clientCpuPct': (outcomes.reduce((n, o) => n + o.cpuMs, 0) / 1000 / wall) * 100
  }
}

/** W2: n publisher → subscriber pairs at one QoS, 256 B, a window of 20 in flight per publisher. */
export async function pairs (ctx: WorkloadContext, qos: 0 | 1 | 2, n: number): Promise<{ rate: number, lost: number, clientCpuPct: number }> {
  const { options, target } = ctx
  const all = Array.from({ length: n }, (_, i) => ({ pub: `w2-q${qos}-n${n}-pub-${i}`, sub: `w2-q${qos}-n${n}-sub-${i}`, topic: `bench/w2/q${qos}/n${n}/${i}` }))
  const durationMs = options.w2Seconds * 1000
  const warmupMs = Math.round(durationMs / 5)
  const tasks: Task[] = chunks(all, ctx.pool.size).map((c) => ({ kind: 'pairs', port: target.port, pairs: c, qos, payloadBytes: W2_PAYLOAD, window: WINDOW, warmupMs, durationMs }))
  const outcomes = await ctx.pool.round<CountResult>(tasks)
  const received = outcomes.reduce((s, o) => s + o.result.received, 0)
  const cpuMs = outcomes.reduce((s, o) => s + o.cpuMs, 0)
  return { rate: received / (durationMs / 1000), lost: outcomes.reduce((s, o) => s + o.result.lost, 0), clientCpuPct: (cpuMs / (durationMs + warmupMs)) * 100 }
}

export async function throughput (ctx: WorkloadContext): Promise<Figures> {
  const out: Figures = {}
  for (const qos of [0, 1, 2] as const) {
    for (const n of [1, 10]) {
      const pid = ctx.target.pid()
      const cpu0 = cpuSeconds(pid)
      const t0 = nowMs()
      const r = await pairs(ctx, qos, n)
      const brokerCpuPct = ((cpuSeconds(pid) - cpu0) / ((nowMs() - t0) / 1000)) * 100
      out[`w2.q${qos}.${n}to${n}.msgPerSec`] = r.rate
      out[`w2.q${qos}.${n}to${n}.brokerCpuPct`] = brokerCpuPct
      out[`w2.q${qos}.${n}to${n}.clientCpuPct`] = r.clientCpuPct
      // CPU per message is what contention on a shared machine distorts least
      out[`w2.q${qos}.${n}to${n}.brokerCpuUsPerMsg`] = (brokerCpuPct / 100) / r.rate * 1e6
      if (qos === 0) out[`w2.q0.${n}to${n}.lost`] = r.lost
      ctx.log(`  W2 QoS ${qos} ${n}→${n}: ${Math.round(r.rate)} msg/s (broker CPU ${Math.round(brokerCpuPct)}%, clients ${Math.round(r.clientCpuPct)}%)`)
    }
  }
  return out
}

/** W3: one publisher, 50 subscribers, QoS 1, 256 B, a window of 20. */
export async function fanOut (ctx: WorkloadContext): Promise<Figures> {
  const { options, target } = ctx
  const durationMs = options.w3Seconds * 1000
  const warmupMs = Math.round(durationMs / 5)
  const topic = 'bench/w3/fanout'
  const subs = Array.from({ length: 50 }, (_, i) => `w3-sub-${i}`)
  // the publisher alone on worker 0, the subscribers spread over the others
  const subChunks = chunks(subs, Math.max(1, ctx.pool.size - 1))
  const tasks: Task[] = [
    { kind: 'fanout-pub', port: target.port, clientId: 'w3-pub', topic, qos: 1, payloadBytes: W2_PAYLOAD, window: WINDOW, warmupMs, durationMs },
    ...subChunks.map((c): Task => ({ kind: 'fanout-sub', port: target.port, clientIds: c, topic, qos: 1, warmupMs, durationMs }))
  ]
  const pid = target.pid()
  const cpu0 = cpuSeconds(pid)
  const t0 = nowMs()
  const outcomes = await ctx.pool.round<CountResult>(tasks)
  const brokerCpuPct = ((cpuSeconds(pid) - cpu0) / ((nowMs() - t0) / 1000)) * 100
  const deliveries = outcomes.reduce((s, o) => s + o.result.received, 0) / (durationMs / 1000)
  return { 'w3.deliveriesPerSec': deliveries, 'w3.msgPerSec': deliveries / subs.length, 'w3.brokerCpuPct': brokerCpuPct, 'w3.brokerCpuUsPerDelivery': (brokerCpuPct / 100) / deliveries * 1e6 }
}
