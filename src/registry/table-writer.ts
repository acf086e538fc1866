/**
 * What the registry writes through, without supabase-js: the registry module is on every hub's
 * start path, and supabase-js (about 10 MB of RSS) is loaded only by a registry that writes.
 */
import { MangoError } from '../errors.js'
import { type DeviceRow, type HubRow } from './rows.js'

/** A write to Supabase failed: network error or timeout (`status` null), or an HTTP error status. */
export class RegistryWriteError extends MangoError {
  readonly status: number | null
  constructor (status: number | null, message: string, options?: { cause?: unknown }) {
    super('MANGO_ERR_REGISTRY', message, options)
    this.status = status
  }
}

/** The one thing the registry does with Supabase: upsert a complete row, keyed by (salon_id, device_id). */
export interface TableWriter {
  /** Resolves once the row is written; rejects with a `RegistryWriteError` otherwise. */
  upsert (row: HubRow | DeviceRow, signal?: AbortSignal): Promise<void>
}

/** Where and how to write. */
export interface TableOptions {
  readonly url: string
  readonly key: string
  readonly table: string
  readonly timeoutMs: number
}

/**
 * A `TableWriter` that imports supabase-js and creates its client on the first write. A failed
 * import or client creation rejects that write with a `RegistryWriteError` (retried like any
 * other failed write) and is tried again on the next one.
 */
export function lazySupabaseTable (options: TableOptions): TableWriter {
  let writer: TableWriter | null = null
  return {
    async upsert (row, signal) {
      if (writer === null) {
        try {
          const { createSupabaseTable } = await import('./supabase-table.js')
          writer ??= createSupabaseTable(options)
        } catch (err) {
          throw new RegistryWriteError(null, `cannot create the Supabase client: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
        }
      }
      await writer.upsert(row, signal)
    }
  }
}
