import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js'
import WebSocket from 'ws'
import { ON_CONFLICT } from './rows.js'
import { RegistryWriteError, type TableOptions, type TableWriter } from './table-writer.js'

// Re-exported for the callers that import the error with the writer that throws it.
export { RegistryWriteError } from './table-writer.js'

const MAX_MESSAGE = 200

/**
 * `ws` as realtime-js's transport. The cast is needed only because @types/ws declares a
 * `new (address: null)` overload first, which realtime-js's constructor type does not accept;
 * realtime-js documents `ws` as the transport for Node < 22.
 */
const transport = WebSocket as unknown as NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>

/** A short description of a supabase-js error without request details (no headers, no key). */
function describeFailure (status: number, error: { message?: string, details?: string, hint?: string }): string {
  if (status === 0) {
    const cause = (error.details ?? '').split('\n').find((line) => line.startsWith('Caused by: '))
    const hint = error.hint !== undefined && error.hint !== '' ? ` (${error.hint})` : ''
    return `network error: ${(cause ?? error.message ?? 'unknown').replace(/^Caused by: /, '')}${hint}`.slice(0, MAX_MESSAGE)
  }
  return `HTTP ${status}: ${error.message ?? 'error'}`.slice(0, MAX_MESSAGE)
}

/**
 * A `TableWriter` on supabase-js. Node 20 has no global WebSocket and supabase-js 2.109
 * creates its realtime client in `createClient` (which then throws), so `ws` is passed as the
 * realtime transport; realtime itself is never connected. The key is given as a static
 * `accessToken`, which also keeps supabase-js from creating its auth client (session storage,
 * refresh timers): the hub is a server process, not a signed-in user.
 */
export function createSupabaseTable (options: TableOptions): TableWriter {
  const key = options.key
  const client = createClient(options.url, key, {
    accessToken: async () => key,
    realtime: { transport },
    db: { timeout: options.timeoutMs }
  })
  return {
    async upsert (row, signal) {
      let query = client.from(options.table).upsert({ ...row }, { onConflict: ON_CONFLICT })
      if (signal !== undefined) query = query.abortSignal(signal)
      let result
      try {
        result = await query
      } catch (err) {
        throw new RegistryWriteError(null, `network error: ${err instanceof Error ? err.message : String(err)}`.slice(0, MAX_MESSAGE), { cause: err })
      }
      if (result.error !== null) {
        throw new RegistryWriteError(result.status === 0 ? null : result.status, describeFailure(result.status, result.error))
      }
    }
  }
}
