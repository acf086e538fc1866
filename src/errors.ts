/**
 * Every failure a caller must tell apart has its own class with a stable `code`
 * (model: undici `lib/core/errors.js`, fastify `FST_ERR_*`). Wrapping keeps `cause`.
 */
export class MangoError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/** The configuration is invalid; `issues` lists every problem found, each naming key, rule and value. */
export class ConfigError extends MangoError {
  readonly issues: readonly string[]
  constructor (issues: readonly string[], options?: { cause?: unknown }) {
    super('MANGO_ERR_CONFIG', `invalid configuration:\n  - ${issues.join('\n  - ')}`, options)
    this.issues = issues
  }
}

/** The data directory cannot be used (missing parent, not writable, locked by another hub). */
export class StoreError extends MangoError {
  constructor (code: 'MANGO_ERR_STORE_LOCKED' | 'MANGO_ERR_STORE_ACCESS' | 'MANGO_ERR_STORE_IO' | 'MANGO_ERR_STORE_CLOSED', message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

/** A listener could not bind its port. */
export class ListenError extends MangoError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('MANGO_ERR_LISTEN', message, options)
  }
}

/** A device could not be admitted; `returnCode` is the MQTT 3.1.1 CONNACK code to send. */
export class AuthError extends MangoError {
  readonly returnCode: 2 | 4 | 5
  constructor (returnCode: 2 | 4 | 5, message: string, options?: { cause?: unknown }) {
    super('MANGO_ERR_AUTH', message, options)
    this.returnCode = returnCode
  }
}

/** A publish or subscribe was refused by the ACL or the envelope check. */
export class ForbiddenError extends MangoError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('MANGO_ERR_FORBIDDEN', message, options)
  }
}

/** A bounded queue refused or dropped work. */
export class QueueFullError extends MangoError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('MANGO_ERR_QUEUE_FULL', message, options)
  }
}

/** Exit codes of the `mango-broker` process, documented in the README. */
export const ExitCode = {
  ok: 0,
  /** unexpected fatal error at run time (store fault, crash) */
  fatal: 1,
  /** invalid configuration or command line */
  config: 2,
  /** start-up failed: port in use, data directory unusable or locked */
  startup: 3
} as const
