/**
 * A well-behaved device pair keeping a request/response loop going through the hub while the
 * fault suite attacks it: the requester publishes `n` at QoS 1, the responder answers `n`, the
 * requester times the round trip. A baseline is taken first, in the same test, so the bound on
 * latency under attack is relative to this machine at this moment. Also: the hub's RSS from /proc.
 */
import { readFileSync } from 'node:fs'
import { type Test } from 'tap'
import { openSession } from './coretests-mqtt.js'

/** Round trips in ms and requests that got no answer within the per-request bound. */
export interface ProbeRun { readonly latencies: number[], readonly unanswered: number }

export interface Probe {
  /** `n` round trips, one after the other (the baseline). */
  sample (n: number): Promise<ProbeRun>
  /** Loop until `stop()`; resolves what was measured meanwhile. `count()`: round trips so far. */
  start (): { stop (): Promise<ProbeRun>, count (): number }
}

const ANSWER_MS = 5000

/** Connect the pair (client ids `probe-req`, `probe-res`) to the hub on `port`. */
export async function startProbe (t: Test, port: number): Promise<Probe> {
  const responder = await openSession(t, { port, clientId: 'probe-res', clean: true })
  await responder.client.subscribeAsync('salon/s1/probe/req/+', { qos: 1 })
  responder.client.on('message', (topic, payload) => {
    responder.client.publish(`salon/s1/probe/res/${topic.split('/').pop() ?? ''}`, payload, { qos: 1 })
  })
  const requester = await openSession(t, { port, clientId: 'probe-req', clean: true })
  await requester.client.subscribeAsync('salon/s1/probe/res/+', { qos: 1 })
  const waiting = new Map<string, () => void>()
  requester.client.on('message', (topic) => { waiting.get(topic.split('/').pop() ?? '')?.() })
  let n = 0
  let ended = false
  t.teardown(() => { ended = true })
  const once = async (): Promise<number | null> => {
    if (ended) return null
    const id = String(n++)
    const t0 = performance.now()
    const answered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { waiting.delete(id); resolve(false) }, ANSWER_MS)
      waiting.set(id, () => { clearTimeout(timer); waiting.delete(id); resolve(true) })
    })
    requester.client.publish(`salon/s1/probe/req/${id}`, id, { qos: 1 })
    return await answered ? performance.now() - t0 : null
  }
  const collect = (into: { latencies: number[], unanswered: number }, ms: number | null): void => {
    if (ms === null) into.unanswered++
    else into.latencies.push(ms)
  }
  return {
    async sample (count) {
      const out = { latencies: [] as number[], unanswered: 0 }
      for (let i = 0; i < count; i++) collect(out, await once())
      return out
    },
    start () {
      const out = { latencies: [] as number[], unanswered: 0 }
      let running = true
      const loop = (async () => {
        while (running && !ended) collect(out, await once())
      })()
      return { stop: async () => { running = false; await loop; return out }, count: () => out.latencies.length + out.unanswered }
    }
  }
}

/** The p-th percentile (nearest rank) of values. */
export function pct (values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

/**
 * Assert that the loop kept answering under attack with latency within `factor` × the baseline's
 * p95 (floored at 2 ms: a baseline of a fraction of a millisecond would make any scheduling
 * hiccup on a shared 2-core machine look like a failure).
 */
export function assertNormalLatency (t: Test, baseline: ProbeRun, during: ProbeRun, options: { factor?: number, minRoundTrips?: number } = {}): void {
  const factor = options.factor ?? 25
  const bound = factor * Math.max(pct(baseline.latencies, 95), 2)
  t.ok(during.latencies.length >= (options.minRoundTrips ?? 5), `the well-behaved client kept its loop going (${during.latencies.length} round trips during the attack)`)
  t.equal(during.unanswered, 0, 'every request of the well-behaved client was answered')
  t.ok(pct(during.latencies, 95) <= bound, `its p95 round trip under attack (${pct(during.latencies, 95).toFixed(1)} ms) stays within ${factor}× the baseline p95 (${pct(baseline.latencies, 95).toFixed(1)} ms)`)
}

/** Resident set size of a process in bytes (VmRSS). */
export function rss (pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m === null ? Number.NaN : Number(m[1]) * 1024
}

/** Sample a process's RSS every 100 ms until stopped; the highest value. */
export function watchRss (pid: number): { stop (): number } {
  let max = rss(pid)
  const timer = setInterval(() => {
    try { max = Math.max(max, rss(pid)) } catch { /* exited: the test's liveness check reports it */ }
  }, 100)
  return { stop: () => { clearInterval(timer); return max } }
}
