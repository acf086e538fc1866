/**
 * W1 in a worker: the clients of some salons, each persistent and subscribed to its salon,
 * publishing 1 KB envelopes at QoS 1 on a fixed schedule (evenly spread, no bursts), timing every
 * delivery and counting what an acknowledged message failed to deliver.
 */
import { type MqttClient } from 'mqtt'
import { connectClient, endAll, nowMs } from './clients.js'
import { type SalonResult, type SalonTask } from './tasks.js'

interface Member { readonly salon: number, readonly index: number, readonly id: string, client: MqttClient | null }

/** A seed-format envelope (id, timestamp, source, payload, version) padded to `bytes`. */
function envelope (bytes: number, salonId: string, deviceId: string, pub: number, seq: number, sentAt: number): Buffer {
  const message = { id: `${deviceId}-${seq}`, timestamp: new Date(sentAt).toISOString(), source: { deviceId, deviceType: 'check-in', salonId }, payload: { pub, seq, sentAt, pad: '' }, version: 1 }
  const bare = Buffer.byteLength(JSON.stringify(message))
  message.payload.pad = 'x'.repeat(Math.max(0, bytes - bare))
  return Buffer.from(JSON.stringify(message))
}

export async function setupSalon (task: SalonTask): Promise<{ start (at: number): Promise<SalonResult>, close (): Promise<void> }> {
  const members: Member[] = []
  task.salons.forEach((s, salon) => s.clientIds.forEach((id) => members.push({ salon, index: members.length, id, client: null })))
  const acked = task.salons.map(() => new Set<number>())
  const received = new Set<string>()
  const latencies: number[] = []
  let duplicates = 0
  let sent = 0
  let failed = 0
  const counts = { acked: 0 }

  for (const m of members) {
    const client = await connectClient(task.port, m.id, { clean: false })
    m.client = client
    client.on('message', (_topic, payload) => {
      const t = nowMs()
      const body = JSON.parse(payload.toString('utf8')) as { payload: { pub: number, seq: number, sentAt: number } }
      const key = `${m.index}|${body.payload.pub}|${body.payload.seq}`
      if (received.has(key)) {
        duplicates++
        return
      }
      received.add(key)
      latencies.push(Math.round((t - body.payload.sentAt) * 100) / 100)
    })
    await client.subscribeAsync(`salon/${task.salons[m.salon]?.salon ?? ''}/#`, { qos: 1 })
  }

  const publish = (m: Member, seq: number): void => {
    const salon = task.salons[m.salon]?.salon ?? ''
    const key = m.index * 1_000_000 + seq
    sent++
    m.client?.publish(`salon/${salon}/checkin/client`, envelope(task.payloadBytes, salon, m.id, m.index, seq, nowMs()), { qos: 1 }, (err) => {
      if (err === undefined || err === null) {
        acked[m.salon]?.add(key)
        counts.acked++
      } else failed++
    })
  }

  const start = async (at: number): Promise<SalonResult> => {
    const interval = 1000 / task.ratePerClient
    const next = members.map((m) => at + (m.index / members.length) * interval)
    const seqs = members.map(() => 0)
    const end = at + task.durationMs
    // one timer walks the schedule; a late timer sends what is due at once (no drift)
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = nowMs()
        let soonest = Infinity
        for (const m of members) {
          while ((next[m.index] as number) <= now && (next[m.index] as number) < end) {
            publish(m, seqs[m.index] as number)
            seqs[m.index] = (seqs[m.index] as number) + 1
            next[m.index] = (next[m.index] as number) + interval
          }
          if ((next[m.index] as number) < end) soonest = Math.min(soonest, next[m.index] as number)
        }
        if (soonest === Infinity) resolve()
        else setTimeout(tick, Math.max(0, soonest - nowMs()))
      }
      setTimeout(tick, Math.max(0, at - nowMs()))
    })
    const owed = (): number => task.salons.reduce((n, s, i) => n + (acked[i]?.size ?? 0) * s.clientIds.length, 0)
    const deliveredOfAcked = (): number => {
      let n = 0
      for (const key of received) {
        const [sub, pub, seq] = key.split('|').map(Number) as [number, number, number]
        const salon = members[sub]?.salon ?? -1
        if (acked[salon]?.has(pub * 1_000_000 + seq) === true) n++
      }
      return n
    }
    // settle: wait (bounded) for every acknowledgement and the deliveries it owes
    const deadline = nowMs() + task.settleMs
    while (nowMs() < deadline && (counts.acked + failed < sent || received.size < owed())) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const expected = owed()
    const got = deliveredOfAcked()
    return { sent, acked: counts.acked, failed, expected, received: got, lost: expected - got, duplicates, latencies }
  }

  return { start, close: () => endAll(members.flatMap((m) => m.client === null ? [] : [m.client])) }
}
