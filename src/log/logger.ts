import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino'

export type { Logger }

/** Paths that are never written to the log, whatever component logs them. */
const REDACT = [
  'password', '*.password', '*.*.password',
  'token', '*.token', '*.*.token',
  'secret', '*.secret', 'key', '*.key',
  'supabaseKey', '*.supabaseKey',
  'authorization', '*.authorization', 'req.headers.authorization',
  'payload', '*.payload'
]

/**
 * The one pino logger of a hub. JSON on stdout; components take `log.child({ component })`.
 * Payloads and secrets are redacted by path as a second line of defence: call sites log topic
 * and byte count, never the payload.
 */
export function createLogger (level: LevelWithSilent = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { name: 'mango-broker' },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime
  }
  return destination === undefined ? pino(options) : pino(options, destination)
}
