/**
 * The public API of the `mango-broker` package: a list of re-exports, nothing else.
 * In-process: `createHub(config)`. As a child process of the Store App: `startHubProcess(options)`.
 */
export { createHub, VERSION, type Hub, type HubOptions, type HubPorts } from './lifecycle/hub.js'
export { type HubConfig } from './config/schema.js'
export { loadConfig, type ConfigInputs } from './config/load.js'
export { validateConfig } from './config/validate.js'
export { ExitCode, MangoError, ConfigError, StoreError, ListenError } from './errors.js'
export { SHUTDOWN, isHubToParent, isParentToHub, type HubToParent, type ParentToHub } from './lifecycle/ipc-protocol.js'
export {
  startHubProcess, createHubSupervisor, HubSupervisor, DEFAULT_ENTRY, forkHub, utilityProcessSpawner, SupervisorError, DEFAULT_RESTART_POLICY,
  type UtilityProcessLike, type UtilityProcessModule,
  type SupervisorErrorCode, type RestartPolicy, type HubExitInfo, type HubProcessOptions, type HubReadyInfo,
  type HubRestartInfo, type HubStatusInfo, type HubStopResult, type HubSupervisorApi, type HubSupervisorEvents,
  type SpawnHub, type SpawnRequest, type SupervisedChild, type SupervisorState
} from './supervisor/index.js'
export {
  DEVICE_TYPES, ENVELOPE_VERSION, TOPIC_FAMILIES, topics, createMessage, encodeMessage, checkEnvelope,
  type DeviceType, type MessageSource, type MqttMessage, type TopicFamily, type TopicFamilyName, type MessageOptions,
  type EnvelopeVerdict
} from './envelope/index.js'
