/**
 * Reconnect delays: exponential growth from `initialMs`, capped at `maxMs`, with "equal jitter"
 * (half fixed, half random) so that many hubs restarted together do not reconnect in step,
 * and no delay is ever near zero. Pure: the random source is passed in.
 */
export interface BackoffPolicy {
  readonly initialMs: number
  readonly maxMs: number
}

/** The delay before reconnect attempt number `attempt` (0 for the first retry). `random` returns [0, 1). */
export function backoffDelay (policy: BackoffPolicy, attempt: number, random: () => number): number {
  const exponent = Math.min(Math.max(attempt, 0), 30)
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent)
  return Math.round(ceiling / 2 + random() * ceiling / 2)
}

/**
 * The delay after a failure that retrying soon cannot fix (refused credentials, refused subscription):
 * the cap, jittered the same way.
 */
export function longBackoffDelay (policy: BackoffPolicy, random: () => number): number {
  return Math.round(policy.maxMs / 2 + random() * policy.maxMs / 2)
}
