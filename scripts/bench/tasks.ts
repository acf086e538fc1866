/** What the benchmark asks a client worker process to do, and what it reports back. */

/** W1: the salon clients of one or more salons, publishing on a schedule and timing deliveries. */
export interface SalonTask {
  readonly kind: 'salon'
  readonly port: number
  readonly salons: ReadonlyArray<{ readonly salon: string, readonly clientIds: readonly string[] }>
  readonly ratePerClient: number
  readonly durationMs: number
  readonly payloadBytes: number
  /** How long after the last publish to wait for outstanding deliveries. */
  readonly settleMs: number
}
export interface SalonResult {
  readonly sent: number
  readonly acked: number
  readonly failed: number
  /** Deliveries owed for acknowledged messages (acked × subscribers of the salon). */
  readonly expected: number
  readonly received: number
  readonly lost: number
  readonly duplicates: number
  /** Publish → deliver latencies in ms (0.01 ms resolution). */
  readonly latencies: number[]
}

/** W2: publisher → subscriber pairs, each publisher keeping `window` messages in flight. */
export interface PairsTask {
  readonly kind: 'pairs'
  readonly port: number
  readonly pairs: ReadonlyArray<{ readonly pub: string, readonly sub: string, readonly topic: string }>
  readonly qos: 0 | 1 | 2
  readonly payloadBytes: number
  readonly window: number
  readonly warmupMs: number
  readonly durationMs: number
}
/** W3: the publisher of a fan-out. */
export interface FanoutPubTask {
  readonly kind: 'fanout-pub'
  readonly port: number
  readonly clientId: string
  readonly topic: string
  readonly qos: 1
  readonly payloadBytes: number
  readonly window: number
  readonly warmupMs: number
  readonly durationMs: number
}
/** W3: some of the fan-out's subscribers. */
export interface FanoutSubTask {
  readonly kind: 'fanout-sub'
  readonly port: number
  readonly clientIds: readonly string[]
  readonly topic: string
  readonly qos: 1
  readonly warmupMs: number
  readonly durationMs: number
}
/** Messages counted inside the measured window. */
export interface CountResult { readonly received: number, readonly sent: number, readonly windowMs: number, readonly lost: number }

/** W4: create the persistent subscription, then go offline. */
export interface QueueInitTask { readonly kind: 'queue-init', readonly port: number, readonly clientId: string, readonly topic: string }
/** W4: publish `count` QoS 1 messages with `window` in flight. */
export interface QueuePublishTask { readonly kind: 'queue-publish', readonly port: number, readonly clientId: string, readonly topic: string, readonly batch: string, readonly count: number, readonly window: number, readonly payloadBytes: number }
/** W4: reconnect the persistent session and receive what was queued. */
export interface QueueDrainTask { readonly kind: 'queue-drain', readonly port: number, readonly clientId: string, readonly batch: string, readonly expected: number, readonly idleMs: number, readonly capMs: number }
export interface QueueResult {
  /** Acknowledged (publish) or distinct received (drain). */
  readonly count: number
  /** Drain: copies of a message already received, and resent messages of an earlier batch. */
  readonly duplicates: number
  /** From the start to the last acknowledgement (publish) or from CONNECT to the last message (drain). */
  readonly ms: number
  /** Drain: the received sequence numbers were in publish order. */
  readonly inOrder: boolean
}

/** W5: open connections at once and hold them until closed. */
export interface ConnectTask { readonly kind: 'connect', readonly port: number, readonly clientIds: readonly string[], readonly subscribe: string | null }
export interface ConnectResult { readonly connected: number, readonly failed: number, readonly ms: number }

export type Task = SalonTask | PairsTask | FanoutPubTask | FanoutSubTask | QueueInitTask | QueuePublishTask | QueueDrainTask | ConnectTask

/** Parent → worker. `at` is the common start time (ms, `performance.timeOrigin + performance.now()`). */
export type ToWorker =
  | { readonly type: 'setup', readonly id: number, readonly task: Task }
  | { readonly type: 'go', readonly id: number, readonly at: number }
  | { readonly type: 'close', readonly id: number }

/** Worker → parent. */
export type FromWorker =
  | { readonly type: 'ready', readonly id: number }
  | { readonly type: 'done', readonly id: number, readonly result: unknown, readonly cpuMs: number }
  | { readonly type: 'closed', readonly id: number }
  | { readonly type: 'error', readonly id: number, readonly message: string }
