/**
 * The cloud bridge module: what the hub wires in.
 */
export { createBridge, type Bridge, type BridgeOptions } from './bridge.js'
export { type BridgeStatus, type BridgeState, type BridgeError, localStatusPayload } from './status.js'
export { resolveTopicRules, hubStatusTopic, type TopicRule } from './topics.js'
