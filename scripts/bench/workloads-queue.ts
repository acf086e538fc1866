/** W4 (queue for an offline persistent subscriber, restarts) and W5 (connect storms, idle memory). */
import { chunks, MB, type Figures, type WorkloadContext } from './workload-context.js'
import { cpuSeconds, rssAnonBytes, rssBytes } from './proc-stats.js'
import { type ConnectResult, type QueueResult, type Task } from './tasks.js'

const TOPIC = 'bench/w4/queue'
const SUBSCRIBER = 'w4-store-app'
const PAYLOAD = 256
const WINDOW = 20
/** Idle time before a memory reading, so start-up and connection work has settled. */
const IDLE_MS = 1000

async function one<R> (ctx: WorkloadContext, task: Task): Promise<R> {
  const [outcome] = await ctx.pool.round<R>([task])
  if (outcome === undefined) throw new Error(`no result for ${task.kind}`)
  return outcome.result
}

/** Queue `count` messages for the offline subscriber; the publish time. */
async function fill (ctx: WorkloadContext, count: number, tag: string): Promise<QueueResult> {
  return one<QueueResult>(ctx, { kind: 'queue-publish', port: ctx.target.port, clientId: `w4-pub-${tag}`, topic: TOPIC, batch: tag, count, window: WINDOW, payloadBytes: PAYLOAD })
}

async function drain (ctx: WorkloadContext, expected: number, tag: string): Promise<QueueResult> {
  return one<QueueResult>(ctx, { kind: 'queue-drain', port: ctx.target.port, clientId: SUBSCRIBER, batch: tag, expected, idleMs: ctx.options.quick ? 3000 : 5000, capMs: 300_000 })
}

/** W4's first part only, for the profile: queue the messages, then `measure` frames the drain alone. */
export async function offlineDrain (ctx: WorkloadContext, measure: (during: () => Promise<QueueResult>) => Promise<QueueResult>): Promise<QueueResult> {
  const n = ctx.options.w4Messages
  await one(ctx, { kind: 'queue-init', port: ctx.target.port, clientId: SUBSCRIBER, topic: TOPIC })
  await fill(ctx, n, 'a')
  return await measure(async () => await drain(ctx, n, 'a'))
}

/**
 * W4: 10,000 QoS 1 messages queued for an offline persistent subscriber: enqueue rate, drain on
 * reconnect; then again across a graceful restart and across a SIGKILL, counting what came back.
 */
export async function offlineQueue (ctx: WorkloadContext): Promise<Figures> {
  const n = ctx.options.w4Messages
  const { target } = ctx
  await one(ctx, { kind: 'queue-init', port: target.port, clientId: SUBSCRIBER, topic: TOPIC })
  const queued = await fill(ctx, n, 'a')
  const cpu0 = cpuSeconds(target.pid())
  const drained = await drain(ctx, n, 'a')
  const drainCpuMs = (cpuSeconds(target.pid()) - cpu0) * 1000
  ctx.log(`  W4 enqueue ${Math.round(n / (queued.ms / 1000))} msg/s, drain ${Math.round(drained.ms)} ms (${drained.count}/${n})`)

  await fill(ctx, n, 'b')
  await target.stop()
  await target.start()
  const graceful = await drain(ctx, n, 'b')

  await fill(ctx, n, 'c')
  await target.kill()
  await target.start()
  const killed = await drain(ctx, n, 'c')
  ctx.log(`  W4 recovered after graceful restart ${graceful.count}/${n}, after SIGKILL ${killed.count}/${n}`)
  return {
    'w4.enqueuePerSec': n / (queued.ms / 1000),
    'w4.drainMs': drained.ms,
    'w4.drainBrokerCpuMs': drainCpuMs,
    'w4.drainReceived': drained.count,
    'w4.drainInOrder': drained.inOrder ? 1 : 0,
    'w4.gracefulRecovered': graceful.count,
    'w4.killRecovered': killed.count,
    'w4.killInOrder': killed.inOrder ? 1 : 0,
    'w4.duplicates': drained.duplicates + graceful.duplicates + killed.duplicates
  }
}

async function storm (ctx: WorkloadContext, n: number, measure?: () => void): Promise<ConnectResult> {
  const ids = Array.from({ length: n }, (_, i) => `w5-${n}-${i}`)
  const tasks: Task[] = chunks(ids, ctx.pool.size).map((c) => ({ kind: 'connect', port: ctx.target.port, clientIds: c, subscribe: measure === undefined ? null : 'salon/s1/#' }))
  const outcomes = await ctx.pool.round<ConnectResult>(tasks, measure === undefined ? {} : {
    between: async () => { await new Promise((resolve) => setTimeout(resolve, IDLE_MS)); measure() }
  })
  return {
    connected: outcomes.reduce((s, o) => s + o.result.connected, 0),
    failed: outcomes.reduce((s, o) => s + o.result.failed, 0),
    ms: Math.max(...outcomes.map((o) => o.result.ms))
  }
}

/**
 * W5: idle RSS with 0 clients; 50 simultaneous connects on the fresh broker (then idle RSS with
 * them), 50 again once they left, 500 simultaneous connects.
 */
export async function connects (ctx: WorkloadContext): Promise<Figures> {
  const pid = ctx.target.pid()
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS))
  const idle0 = rssBytes(pid)
  const anon0 = rssAnonBytes(pid)
  let idle50 = Number.NaN
  let anon50 = Number.NaN
  const c50 = await storm(ctx, 50, () => { idle50 = rssBytes(pid); anon50 = rssAnonBytes(pid) })
  const warm50 = await storm(ctx, 50)
  const c500 = await storm(ctx, 500)
  ctx.log(`  W5 50 connects ${c50.ms.toFixed(1)} ms (again: ${warm50.ms.toFixed(1)} ms), 500 connects ${c500.ms.toFixed(1)} ms, RSS idle ${(idle0 / MB).toFixed(1)} MB, with 50 clients ${(idle50 / MB).toFixed(1)} MB`)
  return {
    'w5.connect50Ms': c50.ms,
    'w5.connect50Failed': c50.failed,
    'w5.connect50AgainMs': warm50.ms,
    'w5.connect500Ms': c500.ms,
    'w5.connect500Failed': c500.failed,
    'w5.rssIdle0Mb': idle0 / MB,
    'w5.rssIdle50Mb': idle50 / MB,
    'w5.rssAnonIdle0Mb': anon0 / MB,
    'w5.rssAnonIdle50Mb': anon50 / MB
  }
}
