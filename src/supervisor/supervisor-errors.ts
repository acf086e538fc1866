import { MangoError } from '../errors.js'
import type { HubExitInfo } from './types.js'

/** Stable codes of {@link SupervisorError}. */
export type SupervisorErrorCode =
  /** Crash loop or invalid configuration: the supervisor stopped restarting the hub. */
  | 'MANGO_ERR_SUPERVISOR_GAVE_UP'
  /** `stop()` was called before the hub was ever ready. */
  | 'MANGO_ERR_SUPERVISOR_STOPPED'
  /** The hub exited 0 on its own before it was ever ready (someone else stopped it). */
  | 'MANGO_ERR_SUPERVISOR_EXITED'
  /** The options given to the supervisor are invalid. */
  | 'MANGO_ERR_SUPERVISOR_OPTIONS'

/** A supervisor failure; `lastExit` is the hub exit that led to it, when there was one. */
export class SupervisorError extends MangoError {
  override readonly code: SupervisorErrorCode
  readonly lastExit: HubExitInfo | null
  constructor (code: SupervisorErrorCode, message: string, lastExit: HubExitInfo | null = null) {
    super(code, message)
    this.code = code
    this.lastExit = lastExit
  }
}
