/**
 * When the supervisor restarts a hub process and when it gives up: plain functions of the exit
 * and the times of earlier crashes, with no timers and no processes (unit-tested as such).
 */
import { ExitCode } from '../errors.js'

/** Restart with exponential backoff; give up after `maxCrashes` crashes within `windowMs`. */
export interface RestartPolicy {
  /** Delay before restarting after a first crash (the seed's Store App waited 1 s). */
  readonly initialDelayMs: number
  /** Each further crash within the window multiplies the delay by this. */
  readonly factor: number
  /** Longest delay between a crash and the restart. */
  readonly maxDelayMs: number
  /** This many crashes within `windowMs` is a crash loop: the supervisor stops restarting. */
  readonly maxCrashes: number
  /** The window in which crashes are counted; older ones are forgotten. */
  readonly windowMs: number
}

/** 1 s, 2 s, 4 s, 8 s, then give up at the fifth crash within a minute. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = Object.freeze({
  initialDelayMs: 1000,
  factor: 2,
  maxDelayMs: 30000,
  maxCrashes: 5,
  windowMs: 60000
})

/** How a hub process ended, as the supervisor saw it. */
export interface ExitFacts {
  /** Exit code, or null when ended by a signal (or when the platform does not say). */
  readonly code: number | null
  readonly signal: string | null
  /** True when the supervisor's `stop()` asked for this exit. */
  readonly requested: boolean
  /** True when the supervisor killed it for not reporting ready in time (whatever code it then exited with). */
  readonly timedOut: boolean
}

/**
 * `stopped`: a requested stop, or exit 0 (someone else stopped the hub gracefully, e.g. the OS
 * sending SIGTERM at logout): not restarted, like the seed and systemd `Restart=on-failure`.
 * `config`: exit 2, the configuration is invalid: restarting cannot help.
 * `crash`: anything else (a signal, exit 1, exit 3 start-up failure), and a ready timeout even if
 * the process then exited 0 (Electron's `kill()` is a SIGTERM, which the hub answers with exit 0).
 */
export type ExitKind = 'stopped' | 'config' | 'crash'

/** Classify an exit; see {@link ExitKind}. */
export function classifyExit (facts: ExitFacts): ExitKind {
  if (facts.requested) return 'stopped'
  if (facts.timedOut) return 'crash'
  if (facts.code === ExitCode.ok) return 'stopped'
  if (facts.code === ExitCode.config) return 'config'
  return 'crash'
}

/** What to do after an exit. `crashes` is the updated crash history to keep for the next decision. */
export type RestartDecision =
  | { readonly action: 'stop', readonly crashes: readonly number[] }
  | { readonly action: 'restart', readonly delayMs: number, readonly crashes: readonly number[] }
  | { readonly action: 'give-up', readonly reason: string, readonly crashes: readonly number[] }

/** Delay before a restart when `crashesInWindow` crashes (this one included) fall within the window. */
export function backoffDelay (crashesInWindow: number, policy: RestartPolicy): number {
  const exponent = Math.max(0, crashesInWindow - 1)
  return Math.min(policy.maxDelayMs, Math.round(policy.initialDelayMs * policy.factor ** exponent))
}

/**
 * Decide after an exit at `now` (ms), given the times of earlier crashes. A crash after a long
 * stable run is the first in its window and restarts after `initialDelayMs`.
 */
export function decideAfterExit (facts: ExitFacts, history: readonly number[], now: number, policy: RestartPolicy): RestartDecision {
  const recent = history.filter((t) => now - t < policy.windowMs)
  const kind = classifyExit(facts)
  if (kind === 'stopped') return { action: 'stop', crashes: recent }
  if (kind === 'config') {
    return { action: 'give-up', reason: 'the configuration is invalid (exit code 2); restarting cannot help', crashes: recent }
  }
  const crashes = [...recent, now]
  if (crashes.length >= policy.maxCrashes) {
    return { action: 'give-up', reason: `crash loop: ${crashes.length} crashes within ${formatMs(policy.windowMs)}`, crashes }
  }
  return { action: 'restart', delayMs: backoffDelay(crashes.length, policy), crashes }
}

/** Check a policy given by a caller; returns the problems (empty when valid). */
export function policyProblems (policy: RestartPolicy): string[] {
  const problems: string[] = []
  const check = (key: keyof RestartPolicy, ok: boolean, rule: string): void => {
    if (!ok) problems.push(`restart.${key} must be ${rule} (received ${JSON.stringify(policy[key])})`)
  }
  check('initialDelayMs', Number.isFinite(policy.initialDelayMs) && policy.initialDelayMs >= 0, 'a number >= 0')
  check('factor', Number.isFinite(policy.factor) && policy.factor >= 1, 'a number >= 1')
  check('maxDelayMs', Number.isFinite(policy.maxDelayMs) && policy.maxDelayMs >= policy.initialDelayMs, 'a number >= initialDelayMs')
  check('maxCrashes', Number.isInteger(policy.maxCrashes) && policy.maxCrashes >= 1, 'an integer >= 1')
  check('windowMs', Number.isFinite(policy.windowMs) && policy.windowMs > 0, 'a number > 0')
  return problems
}

function formatMs (ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
