/**
 * The message envelope for device apps and the hub: the seed's `MqttMessage<T>`, topic builders
 * for every topic of the seed's hierarchy, and the hub's envelope check.
 */
export { DEVICE_TYPES, ENVELOPE_VERSION, type DeviceType, type MessageSource, type MqttMessage } from './types.js'
export { TOPIC_FAMILIES, assertTopicId, topics, type TopicFamily, type TopicFamilyName } from './topics.js'
export { createMessage, encodeMessage, type MessageOptions } from './message.js'
export { checkEnvelope, isIsoTimestamp, type EnvelopeLimits, type EnvelopeVerdict } from './check.js'
export { createEnvelopeChecker, type EnvelopeChecker } from './checker.js'
