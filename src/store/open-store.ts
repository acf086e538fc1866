import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { Level } from 'level'
import { StoreError } from '../errors.js'
import { createLogger, type Logger } from '../log/logger.js'
import { GroupCommit } from './group-commit.js'
import { repairOps } from './repair.js'
import { SessionStore, type QueueLimits } from './session-store.js'
import { StoreRecovery } from './store-recovery.js'
import { type Db, type Sublevel } from './types.js'

/** The hub's open LevelDB and what lives in it. */
export interface Store {
  readonly location: string
  readonly db: Db
  readonly writer: GroupCommit
  readonly sessions: SessionStore
  /** Reopens LevelDB after a failed write (disk full, read-only, I/O error). */
  readonly recovery: StoreRecovery
  /**
   * A namespace for another part (devices, bridge outbox). Take sublevels here, not from `db`:
   * these are reopened when LevelDB is reopened after a failure.
   */
  sublevel (name: string): Sublevel
  close (): Promise<void>
}

/** Check the data directory before LevelDB does, so the error names the real problem. */
function prepareDirectory (location: string): 'created' | 'exists' {
  let created: 'created' | 'exists' = 'exists'
  try {
    if (!statSync(location).isDirectory()) throw new StoreError('MANGO_ERR_STORE_ACCESS', `data directory ${location} exists but is not a directory`)
  } catch (err) {
    if (err instanceof StoreError) throw err
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreError('MANGO_ERR_STORE_ACCESS', `data directory ${location} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err })
    const parent = dirname(location)
    try {
      statSync(parent)
    } catch (cause) {
      throw new StoreError('MANGO_ERR_STORE_ACCESS', `data directory ${location} does not exist, nor does its parent ${parent}: create it or set dataDir`, { cause })
    }
    try {
      mkdirSync(location)
      created = 'created'
    } catch (cause) {
      throw new StoreError('MANGO_ERR_STORE_ACCESS', `data directory ${location} cannot be created: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause })
    }
  }
  try {
    accessSync(location, constants.W_OK | constants.R_OK)
  } catch (cause) {
    throw new StoreError('MANGO_ERR_STORE_ACCESS', `data directory ${location} is not writable by this user`, { cause })
  }
  return created
}

function isLocked (err: unknown): boolean {
  let e: unknown = err
  for (let i = 0; i < 4 && e !== null && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code
    if (code === 'LEVEL_LOCKED') return true
    if (/lock/i.test(String((e as { message?: unknown }).message))) return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

/** Options of {@link openStore}. */
export interface StoreOptions {
  readonly dataDir: string
  readonly fsync: boolean
  readonly queueLimits: QueueLimits
  onCreated? (location: string): void
  /** Where store faults are logged (give `log.child({ component: 'store' })`); default: not logged. */
  readonly log?: Logger
  /** First wait before reopening LevelDB after a failed write, doubled per attempt up to `maxRetryMs` (default 500 and 5000). */
  readonly retryMs?: number
  readonly maxRetryMs?: number
  /** Payload bytes of queued messages kept in memory for the drain (default `PAYLOAD_CACHE_BYTES`, 8 MiB). */
  readonly payloadCacheBytes?: number
}

/** Open (creating if needed) the hub's LevelDB in `dataDir` and load its sessions. */
export async function openStore (options: StoreOptions): Promise<Store> {
  const location = resolve(options.dataDir)
  if (prepareDirectory(location) === 'created') options.onCreated?.(location)
  const db = new Level<string, Buffer>(location, { valueEncoding: 'buffer' }) as unknown as Db
  try {
    await db.open()
  } catch (err) {
    if (isLocked(err)) throw new StoreError('MANGO_ERR_STORE_LOCKED', `data directory ${location} is locked by another running hub (LevelDB LOCK held)`, { cause: err })
    throw new StoreError('MANGO_ERR_STORE_IO', `data directory ${location} cannot be opened: ${String((err as { cause?: Error }).cause?.message ?? (err as Error).message)}`, { cause: err })
  }
  const writer = new GroupCommit(db, options.fsync)
  let sessions: SessionStore
  try {
    sessions = await SessionStore.open(db, writer, options.queueLimits, options.payloadCacheBytes)
  } catch (err) {
    await db.close()
    throw new StoreError('MANGO_ERR_STORE_IO', `data directory ${location} holds data that cannot be loaded: ${(err as Error).message}`, { cause: err })
  }
  const handedOut = new Set<Sublevel>()
  const truth = sessions.memoryTruth()
  const recovery = new StoreRecovery({
    db,
    writer,
    location,
    fsync: options.fsync,
    sublevels: () => [...Object.values(truth.sublevels), ...handedOut],
    repair: (dirty) => repairOps(sessions.memoryTruth(), dirty),
    probe: () => ({ type: 'put', sublevel: truth.sublevels.meta, key: 'probe', value: Buffer.from(new Date().toISOString()) }),
    log: options.log ?? createLogger('silent'),
    retryMs: options.retryMs ?? 500,
    maxRetryMs: options.maxRetryMs ?? 5000
  })
  writer.onFailure((err) => { recovery.start(err) })
  return {
    location,
    db,
    writer,
    sessions,
    recovery,
    sublevel: (name) => {
      const sub = db.sublevel<string, Buffer>(name, { valueEncoding: 'buffer' }) as unknown as Sublevel
      handedOut.add(sub)
      return sub
    },
    close: async () => {
      await recovery.stop()
      await writer.flush()
      if (db.status === 'open') await db.close()
    }
  }
}
