import { MangoError } from '../errors.js'

/** Codes of {@link DeviceRegistryError}: what the `devices` command and the HTTP routes tell apart. */
export type DeviceRegistryErrorCode =
  | 'MANGO_ERR_DEVICE_EXISTS'
  | 'MANGO_ERR_DEVICE_UNKNOWN'
  | 'MANGO_ERR_DEVICE_INVALID'

/**
 * A device registry operation was refused: the device already exists (add), is unknown
 * (rotate), or its salon id, device id or type is malformed (add). Store failures are not
 * wrapped: they surface as the store's own errors.
 */
export class DeviceRegistryError extends MangoError {
  declare readonly code: DeviceRegistryErrorCode
  constructor (code: DeviceRegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}
