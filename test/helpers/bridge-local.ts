/**
 * A small but real `LocalPort` for bridge tests: a plain in-memory Aedes broker on a loopback
 * port (real mqtt.js devices connect to it) and a real LevelDB in the test directory.
 * Device publishes matching a sink's filters are taken in Aedes' `authorizePublish` hook, in
 * packet order, and committed with `db.batch` (one batch per message, in take order) before Aedes
 * goes on to acknowledge the publisher; messages injected with `publish` never reach the sinks.
 */
import { createServer, type AddressInfo, type Server } from 'node:net'
import { Aedes } from 'aedes'
import { Level } from 'level'
import { type DurableSink, type LocalMessage, type LocalPort } from '../../src/broker/local-port.js'
import { type StoreOperation, type Sublevel } from '../../src/store/types.js'
import { matchesFilter } from '../../src/bridge/topics.js'

/** A running local hub stand-in. */
export interface LocalHub {
  readonly local: LocalPort
  /** Port of the MQTT listener for devices (127.0.0.1, no authentication). */
  readonly port: number
  readonly url: string
  /** The bridge's sublevel of the hub's LevelDB. */
  readonly sublevel: Sublevel
  /** Messages published through `local.publish`, in order (what the bridge injected). */
  readonly injected: LocalMessage[]
  /** Make `local.publish` fail (a local store fault) while true. */
  failPublishes: boolean
  close (): Promise<void>
}

type RootDb = Level<string, Buffer>

/** Start a local hub on a fresh or existing LevelDB directory `dir`. */
export async function startLocalHub (dir: string): Promise<LocalHub> {
  const db: RootDb = new Level<string, Buffer>(dir, { valueEncoding: 'buffer' })
  await db.open()
  const sublevel = db.sublevel<string, Buffer>('bridge', { valueEncoding: 'buffer' }) as unknown as Sublevel
  const sinks = new Set<DurableSink>()
  let commits: Promise<void> = Promise.resolve()

  const commit = (ops: StoreOperation[]): Promise<void> => {
    const batch = db.batch as unknown as (ops: StoreOperation[]) => Promise<void>
    commits = commits.then(async () => { if (ops.length > 0) await batch.call(db, ops) })
    return commits
  }

  const broker = await Aedes.createBroker({
    authorizePublish: (client, packet, callback) => {
      if (client === null) {
        callback(null)
        return
      }
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload)
      const message: LocalMessage = { topic: packet.topic, payload, qos: packet.qos, retain: packet.retain }
      const taken: DurableSink[] = []
      const ops: StoreOperation[] = []
      for (const sink of sinks) {
        if (!sink.filters.some((f) => matchesFilter(f, message.topic))) continue
        ops.push(...sink.take(message))
        taken.push(sink)
      }
      commit(ops).then(() => {
        for (const sink of taken) sink.committed(message)
        callback(null)
      }, (err: unknown) => { callback(err instanceof Error ? err : new Error(String(err))) })
    }
  })
  const server: Server = createServer((socket) => { broker.handle(socket) })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { resolve() })
  })
  const port = (server.address() as AddressInfo).port
  const injected: LocalMessage[] = []
  const retained = new Map<string, Buffer>()

  const hub: LocalHub = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    sublevel,
    injected,
    failPublishes: false,
    local: {
      publish: async (message) => {
        if (hub.failPublishes) throw new Error('local store fault (test)')
        await new Promise<void>((resolve, reject) => {
          broker.publish({ cmd: 'publish', topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain, dup: false },
            (err?: Error) => { if (err !== undefined && err !== null) reject(err); else resolve() })
        })
        injected.push(message)
        if (message.retain) {
          if (message.payload.length === 0) retained.delete(message.topic)
          else retained.set(message.topic, message.payload)
        }
      },
      addSink: (sink) => {
        sinks.add(sink)
        return () => { sinks.delete(sink) }
      },
      // what the bridge injected as retained (device publishes do not reach the bridge's dedupe in these tests)
      retained: (topic) => retained.get(topic)
    },
    close: async () => {
      await new Promise<void>((resolve) => { broker.close(() => { resolve() }) })
      await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
      // A failed commit was already reported to its publisher; closing only waits for the chain.
      await commits.catch(() => undefined)
      await db.close()
    }
  }
  return hub
}
