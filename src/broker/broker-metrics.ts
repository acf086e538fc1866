import { type Counter, type Metrics } from '../metrics/metrics.js'

/** The broker's counters, registered once on the hub's metrics. */
export interface BrokerMetrics {
  readonly messagesIn: Counter
  readonly messagesOut: Counter
  readonly refused: Counter
  readonly authFailures: Counter
  readonly forbidden: Counter
  readonly subscribeRefused: Counter
  readonly queueDropped: Counter
  readonly storeErrors: Counter
  readonly badPackets: Counter
  readonly slowReaders: Counter
}

export function createBrokerMetrics (metrics: Metrics): BrokerMetrics {
  return {
    messagesIn: metrics.counter('mango_messages_in_total', 'Messages published to the hub, by QoS'),
    messagesOut: metrics.counter('mango_messages_out_total', 'Messages sent to devices, by QoS'),
    refused: metrics.counter('mango_connections_refused_total', 'Connections refused, by reason'),
    authFailures: metrics.counter('mango_auth_failures_total', 'CONNECTs refused by authentication, by CONNACK code'),
    forbidden: metrics.counter('mango_publish_forbidden_total', 'Publishes dropped by the ACL or the envelope check'),
    subscribeRefused: metrics.counter('mango_subscribe_refused_total', 'Subscriptions refused with SUBACK 0x80'),
    queueDropped: metrics.counter('mango_queue_dropped_total', 'Queued messages given up because a session queue was full, by policy'),
    storeErrors: metrics.counter('mango_store_errors_total', 'Writes to LevelDB that failed'),
    badPackets: metrics.counter('mango_bad_packets_total', 'Connections closed for an oversize or malformed packet'),
    slowReaders: metrics.counter('mango_slow_readers_total', 'Connections closed because they did not read what was sent to them')
  }
}
