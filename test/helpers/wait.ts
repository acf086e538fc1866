import { once, type EventEmitter } from 'node:events'

/** Resolve with the event's arguments, or reject after `ms` naming what did not happen. */
export async function waitFor<T extends unknown[] = unknown[]> (emitter: EventEmitter, event: string, ms = 5000, what = event): Promise<T> {
  const ac = new AbortController()
  const timer = setTimeout(() => ac.abort(), ms)
  try {
    return await once(emitter, event, { signal: ac.signal }) as T
  } catch (err) {
    if (ac.signal.aborted) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    throw err
  } finally {
    clearTimeout(timer)
  }
}

/** Poll a condition (an observable state, not time) until it holds, bounded. */
export async function until (check: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
