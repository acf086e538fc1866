/**
 * A benchmark client process (forked by the pool): sets a task up, starts it at the common
 * start time, reports its result and its own CPU time, then closes its clients when told.
 */
import { setupConnect } from './task-connect.js'
import { setupQueueDrain, setupQueueInit, setupQueuePublish } from './task-queue.js'
import { setupSalon } from './task-salon.js'
import { setupFanoutPub, setupFanoutSub, setupPairs } from './task-throughput.js'
import { type FromWorker, type Task, type ToWorker } from './tasks.js'

interface Running { start (at: number): Promise<unknown>, close (): Promise<void> }

function setup (task: Task): Promise<Running> {
  switch (task.kind) {
    case 'salon': return setupSalon(task)
    case 'pairs': return setupPairs(task)
    case 'fanout-pub': return setupFanoutPub(task)
    case 'fanout-sub': return setupFanoutSub(task)
    case 'queue-init': return setupQueueInit(task)
    case 'queue-publish': return setupQueuePublish(task)
    case 'queue-drain': return setupQueueDrain(task)
    case 'connect': return setupConnect(task)
  }
}

const running = new Map<number, Running>()
const send = (m: FromWorker): void => { process.send?.(m) }

process.on('message', (raw: unknown) => {
  const m = raw as ToWorker
  const fail = (err: unknown): void => { send({ type: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) }) }
  if (m.type === 'setup') {
    setup(m.task).then((r) => { running.set(m.id, r); send({ type: 'ready', id: m.id }) }, fail)
  } else if (m.type === 'go') {
    const r = running.get(m.id)
    if (r === undefined) { fail(new Error(`task ${m.id} was not set up`)); return }
    const cpu = process.cpuUsage()
    r.start(m.at).then((result) => {
      const used = process.cpuUsage(cpu)
      send({ type: 'done', id: m.id, result, cpuMs: (used.user + used.system) / 1000 })
    }, fail)
  } else if (m.type === 'close') {
    const r = running.get(m.id)
    running.delete(m.id)
    ;(r === undefined ? Promise.resolve() : r.close()).then(() => { send({ type: 'closed', id: m.id }) }, fail)
  }
})
process.on('disconnect', () => { process.exit(0) })
send({ type: 'ready', id: 0 })
