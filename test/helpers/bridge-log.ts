/**
 * A real pino logger (the hub's `createLogger`) writing to memory, so tests can assert what the
 * bridge logged: one line per state change, and never a payload or a secret.
 */
import { type Logger, createLogger } from '../../src/log/logger.js'

/** One parsed log line. */
export interface LogLine {
  readonly level: number
  readonly msg: string
  readonly [key: string]: unknown
}

/** The logger and what it wrote. */
export interface CapturedLog {
  readonly log: Logger
  readonly lines: LogLine[]
  /** The raw JSON lines, for "never contains" assertions. */
  readonly raw: string[]
  /** Lines whose message starts with `prefix`. */
  matching (prefix: string): LogLine[]
}

/** A debug-level logger that keeps every line. */
export function captureLog (): CapturedLog {
  const lines: LogLine[] = []
  const raw: string[] = []
  const log = createLogger('debug', {
    write (chunk: string) {
      for (const text of chunk.split('\n')) {
        if (text.trim() === '') continue
        raw.push(text)
        lines.push(JSON.parse(text) as LogLine)
      }
    }
  })
  return { log, lines, raw, matching: (prefix) => lines.filter((l) => l.msg.startsWith(prefix)) }
}
