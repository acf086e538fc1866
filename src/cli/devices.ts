import { LevelDeviceRegistry } from '../auth/device-registry.js'
import { type HubConfig } from '../config/schema.js'
import { ExitCode, StoreError } from '../errors.js'
import { openStore } from '../store/open-store.js'
import { runDevicesCommand } from './devices-command.js'

/**
 * `mango-broker devices …`: the device registry in the hub's LevelDB, like mosquitto_passwd edits
 * its password file. A running hub holds the LevelDB lock: then the command says to use the hub's
 * HTTP enrollment routes instead.
 */
export async function runDevices (args: readonly string[], config: HubConfig): Promise<number> {
  let store
  try {
    store = await openStore({ dataDir: config.dataDir, fsync: true, queueLimits: { maxMessages: 1, maxBytes: 1024, policy: 'drop-new' } })
  } catch (err) {
    if (err instanceof StoreError && err.code === 'MANGO_ERR_STORE_LOCKED') {
      process.stderr.write(`mango-broker: ${err.message}.\nWhile the hub runs, enroll devices through it: POST http://<hub>:${config.http.port ?? 8080}/devices with "authorization: Bearer <admin.token>" (see README, "Enrolling devices").\n`)
      return ExitCode.fatal
    }
    if (err instanceof StoreError) {
      process.stderr.write(`mango-broker: ${err.message}\n`)
      return ExitCode.startup
    }
    throw err
  }
  try {
    const registry = new LevelDeviceRegistry(store.sublevel('devices'))
    return await runDevicesCommand([...args], {
      registry,
      salonId: config.salonId,
      out: (line) => { process.stdout.write(line + '\n') },
      err: (line) => { process.stderr.write(line + '\n') }
    })
  } finally {
    await store.close()
  }
}
