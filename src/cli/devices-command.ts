/**
 * `mango-broker devices add|list|revoke|rotate`, in the style of `mosquitto_passwd`: manage the
 * hub's local device registry. A token is printed once, when it is issued, and never again.
 */
import { isDeviceType, isValidId } from '../auth/ids.js'
import { DeviceRegistryError } from '../auth/registry-errors.js'
import { DEVICE_TYPES, type DeviceRecord, type DeviceRegistry } from '../auth/types.js'
import { ExitCode } from '../errors.js'
import { DEVICES_USAGE, UsageError, parseDevicesArgs } from './devices-args.js'

/** What the command works on and where it writes. */
export interface DevicesCommandIo {
  readonly registry: DeviceRegistry
  readonly out: (line: string) => void
  readonly err: (line: string) => void
  /** The hub's `salonId` when configured: the default of `--salon`, and a guard against adding devices the hub would refuse. */
  readonly salonId?: string | null
}

/** Exit code of a refused operation (device exists, unknown device) or a store failure. */
const FAILED = ExitCode.fatal

function checkId (flag: string, value: string | undefined): string {
  if (value === undefined) throw new UsageError(`${flag} is required`)
  if (!isValidId(value)) throw new UsageError(`${flag} ${JSON.stringify(value)} must be 1 to 64 letters, digits, "_" or "-"`)
  return value
}

function printToken (io: DevicesCommandIo, verb: string, device: DeviceRecord, token: string, json: boolean): void {
  if (json) {
    io.out(JSON.stringify({ device, token }))
    return
  }
  io.out(`${verb} ${device.deviceType} ${JSON.stringify(device.deviceId)} of salon ${JSON.stringify(device.salonId)}`)
  io.out(`token: ${token}`)
  io.out(`This token will not be shown again: set it on the device now (username ${device.deviceId}, client id ${device.deviceType}-${device.deviceId}).`)
}

function table (devices: readonly DeviceRecord[]): string[] {
  const rows = [
    ['DEVICE', 'TYPE', 'SALON', 'CREATED', 'STATUS'],
    ...devices.map((d) => [d.deviceId, d.deviceType, d.salonId, d.createdAt, d.revokedAt === null ? 'active' : `revoked ${d.revokedAt}`])
  ]
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? []
  return rows.map((r) => r.map((cell, col) => col === r.length - 1 ? cell : cell.padEnd(widths[col] ?? 0)).join('  '))
}

async function run (args: readonly string[], io: DevicesCommandIo): Promise<number> {
  const { command, options } = parseDevicesArgs(args)
  const json = options.json === 'true'
  switch (command) {
    case 'add': {
      const hubSalon = io.salonId ?? null
      const salonId = checkId('--salon', options.salon ?? hubSalon ?? undefined)
      if (hubSalon !== null && salonId !== hubSalon) {
        throw new UsageError(`--salon ${JSON.stringify(salonId)} is not this hub's salonId ${JSON.stringify(hubSalon)}: the hub would refuse the device`)
      }
      const deviceType = options.type
      if (deviceType === undefined) throw new UsageError('--type is required')
      if (!isDeviceType(deviceType)) throw new UsageError(`--type ${JSON.stringify(deviceType)} must be one of ${DEVICE_TYPES.join(', ')}`)
      const deviceId = checkId('--id', options.id)
      const { device, token } = await io.registry.add({ salonId, deviceType, deviceId })
      printToken(io, 'added', device, token, json)
      return ExitCode.ok
    }
    case 'list': {
      const devices = await io.registry.list()
      if (json) io.out(JSON.stringify(devices))
      else if (devices.length === 0) io.out('no devices')
      else for (const line of table(devices)) io.out(line)
      return ExitCode.ok
    }
    case 'revoke': {
      const deviceId = checkId('--id', options.id)
      if (!await io.registry.revoke(deviceId)) {
        io.err(`unknown device ${JSON.stringify(deviceId)}`)
        return FAILED
      }
      io.out(`revoked ${JSON.stringify(deviceId)}: its token no longer works`)
      return ExitCode.ok
    }
    case 'rotate': {
      const { device, token } = await io.registry.rotate(checkId('--id', options.id))
      printToken(io, 'new token for', device, token, json)
      return ExitCode.ok
    }
  }
}

/**
 * Run `devices <args>` against a registry. Resolves the exit code: 0 done, 2 usage error
 * (message and usage on `err`), 1 refused (device exists, unknown device) or store failure.
 */
export async function runDevicesCommand (args: string[], io: DevicesCommandIo): Promise<number> {
  try {
    return await run(args, io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`mango-broker devices: ${err.message}`)
      io.err(DEVICES_USAGE)
      return ExitCode.config
    }
    if (err instanceof DeviceRegistryError) {
      io.err(`mango-broker devices: ${err.message}`)
      return FAILED
    }
    io.err(`mango-broker devices: the device registry failed: ${err instanceof Error ? err.message : String(err)}`)
    return FAILED
  }
}
