/**
 * Child process for the crash test: writes outbox messages the way the hub does (take, batch,
 * committed), prints `committed N` once N are on disk, and keeps writing until it is killed.
 * Arguments: data directory, N, salonId.
 */
import { Level } from 'level'
import { Outbox } from '../../src/bridge/outbox.js'
import { type StoreOperation, type Sublevel } from '../../src/store/types.js'

const [dir, countArg, salonId] = process.argv.slice(2)
if (dir === undefined || countArg === undefined || salonId === undefined) throw new Error('usage: bridge-outbox-writer <dir> <count> <salonId>')
const count = Number(countArg)
const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer' })
await db.open()
const sublevel = db.sublevel<string, Buffer>('bridge', { valueEncoding: 'buffer' }) as unknown as Sublevel
const outbox = await Outbox.open(sublevel, { maxMessages: 1_000_000, maxBytes: 1 << 30, maxAgeMs: 3_600_000, whenFull: 'drop-oldest' }, (err) => { throw err })
const batch = db.batch as unknown as (ops: StoreOperation[]) => Promise<void>
// Bounded: the parent kills this process long before the end.
for (let i = 1; i <= count + 1_000_000; i++) {
  const id = `t-${i}`
  const payload = Buffer.from(JSON.stringify({ id, timestamp: new Date().toISOString(), source: { deviceId: 'd', deviceType: 'store-app', salonId }, payload: {}, version: 1 }))
  const taken = outbox.take({ topic: `salon/${salonId}/tickets/${i}`, payload, qos: 1, retain: false, takenAt: Date.now(), envelopeId: id })
  await batch.call(db, taken.ops)
  if (taken.seq !== null) outbox.committed(taken.seq)
  if (i === count) process.stdout.write(`committed ${count}\n`)
}
