// Support for the registry tests: validated configuration sections, a capturing logger, and waiting for a status.
import { Writable } from 'node:stream'
import { Ajv } from 'ajv'
import { adminSection, type AdminConfig } from '../../src/config/sections/admin.js'
import { registrySection, type RegistryConfig } from '../../src/config/sections/registry.js'
import { createLogger, type Logger } from '../../src/log/logger.js'
import { type Registry, type RegistryStatus } from '../../src/registry/index.js'

/** The options the hub's configuration validator uses. */
export const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true })
// Sections are compiled inside a root object, as the hub's schema holds them (a default at the root is ignored).
const checkRegistry = ajv.compile({ type: 'object', additionalProperties: false, properties: { registry: registrySection } })
const checkAdmin = ajv.compile({ type: 'object', additionalProperties: false, properties: { admin: adminSection } })

/** A `registry` section validated (defaults filled) exactly as the hub's schema does it. */
export function registryConfig (input: Record<string, unknown> = {}): RegistryConfig {
  const candidate = { registry: structuredClone(input) }
  if (!checkRegistry(candidate)) throw new Error(`invalid registry section: ${ajv.errorsText(checkRegistry.errors)}`)
  return candidate.registry as unknown as RegistryConfig
}

/** An `admin` section validated (defaults filled) exactly as the hub's schema does it. */
export function adminConfig (input: Record<string, unknown> = {}): AdminConfig {
  const candidate = { admin: structuredClone(input) }
  if (!checkAdmin(candidate)) throw new Error(`invalid admin section: ${ajv.errorsText(checkAdmin.errors)}`)
  return candidate.admin as unknown as AdminConfig
}

/** A real pino logger (the hub's, with its redaction) writing into memory. */
export function captureLog (): { log: Logger, lines: string[], text: () => string } {
  const lines: string[] = []
  const destination = new Writable({
    write (chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''))
      cb()
    }
  })
  return { log: createLogger('debug', destination), lines, text: () => lines.join('\n') }
}

/** Resolve with the first status (the current one included) for which `match` is true; reject after `timeoutMs`. */
export async function waitForStatus (registry: Registry, match: (s: RegistryStatus) => boolean, timeoutMs = 15_000): Promise<RegistryStatus> {
  const now = registry.status()
  if (match(now)) return now
  return await new Promise((resolve, reject) => {
    const onStatus = (s: RegistryStatus): void => {
      if (!match(s)) return
      clearTimeout(timer)
      registry.off('status', onStatus)
      resolve(s)
    }
    const timer = setTimeout(() => {
      registry.off('status', onStatus)
      reject(new Error(`registry status not reached within ${timeoutMs} ms; last: ${JSON.stringify(registry.status())}`))
    }, timeoutMs)
    registry.on('status', onStatus)
  })
}
