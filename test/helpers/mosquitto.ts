/**
 * A real Mosquitto (Debian package `mosquitto`, /usr/sbin/mosquitto) playing the cloud broker:
 * a TLS listener on a free loopback port with a certificate signed by a test CA, password
 * authentication (hashes in Mosquitto's `$7$` PBKDF2-SHA512 format, made here), persistence on,
 * optionally an ACL file and a plain loopback listener (for the 3.1.1 front, see
 * mosquitto-v311-front.ts). It can be stopped, restarted on the same ports, and frozen
 * (SIGSTOP) to make a dead link. Readiness is Mosquitto's own "running" log line, then a real
 * MQTT connection, never a sleep.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { pbkdf2Sync, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { connect, type IClientOptions, type MqttClient } from 'mqtt'
import { type TestPki } from './tls.js'

/** How to run the cloud. */
export interface MosquittoOptions {
  /** Directory for config, passwords and persistence (a `t.testdir()`). */
  readonly dir: string
  readonly pki: TestPki
  /** user name → password */
  readonly users: Readonly<Record<string, string>>
  /**
   * Per-user ACL entries for Mosquitto's dynamic security plugin (shipped in the Debian package),
   * e.g. `{ salonA: [{ acltype: 'subscribePattern', topic: 'salon/a/#', allow: false }] }`. Unlike
   * `acl_file`, which in 2.0 grants every subscription and filters at delivery, it refuses in SUBACK.
   * When set, users are authenticated by the plugin; everything not denied is allowed.
   */
  readonly acls?: Readonly<Record<string, ReadonlyArray<{ readonly acltype: string, readonly topic: string, readonly allow: boolean }>>>
  /** Also listen without TLS on another loopback port (only for the 3.1.1 front). */
  readonly plainListener?: boolean
  /** Extra global configuration lines. */
  readonly extra?: readonly string[]
}

/** A running (or stopped) Mosquitto. */
export interface Mosquitto {
  /** TLS port; stays the same across restarts. */
  readonly port: number
  /** `mqtts://127.0.0.1:port` */
  readonly url: string
  /** Plain port when `plainListener` was asked, else null. */
  readonly plainPort: number | null
  readonly pki: TestPki
  /** Start again after `stop()` (same ports, same persistence). */
  start (): Promise<void>
  /** SIGTERM (Mosquitto saves its persistence file) and wait for the exit. */
  stop (): Promise<void>
  /** SIGSTOP: sockets stay open, nothing is answered. */
  freeze (): void
  /** SIGCONT after `freeze`. */
  thaw (): void
  /**
   * A cloud-side mqtt.js client over TLS, connected (CONNACK received); `beforeConnect` runs before
   * any packet can arrive (attach message listeners there). Ended at `stop`.
   */
  client (username: string, password: string, options?: IClientOptions, beforeConnect?: (c: MqttClient) => void): Promise<MqttClient>
  /** The last lines Mosquitto logged (for failure messages). */
  logs (): string
}

const DYNSEC_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib/arm-linux-gnueabihf', '/usr/lib', '/usr/local/lib']

/** Where the Debian package put the dynamic security plugin (the directory depends on the architecture). */
function dynsecPlugin (): string {
  const found = DYNSEC_DIRS.map((d) => join(d, 'mosquitto_dynamic_security.so')).find((p) => existsSync(p))
  if (found === undefined) throw new Error(`mosquitto_dynamic_security.so not found in ${DYNSEC_DIRS.join(', ')}`)
  return found
}
const READY_MS = 15_000
const STOP_MS = 10_000

/** Mosquitto's `$7$` password hash: PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt. */
export function mosquittoHash (password: string): string {
  const { salt, hash } = pbkdf2(password)
  return `$7$101$${salt}$${hash}`
}

function pbkdf2 (password: string): { salt: string, hash: string } {
  const salt = randomBytes(12)
  return { salt: salt.toString('base64'), hash: pbkdf2Sync(password, salt, 101, 64, 'sha512').toString('base64') }
}

/** The dynamic security plugin's JSON: one client and one role per user, allow by default. */
function dynsecConfig (users: MosquittoOptions['users'], acls: NonNullable<MosquittoOptions['acls']>): string {
  const allow = { publishClientSend: true, publishClientReceive: true, subscribe: true, unsubscribe: true }
  const clients = Object.entries(users).map(([username, password]) => {
    const { salt, hash } = pbkdf2(password)
    return { username, password: hash, salt, iterations: 101, roles: [{ rolename: `role-${username}` }] }
  })
  const roles = Object.keys(users).map((username) => ({ rolename: `role-${username}`, acls: acls[username] ?? [] }))
  return JSON.stringify({ defaultACLAccess: allow, clients, groups: [], roles }, null, 1)
}

/** A free loopback TCP port (bound then released). */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { resolve() })
  })
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
  return port
}

/** Write the configuration and start Mosquitto; call `stop()` at teardown. */
export async function startMosquitto (options: MosquittoOptions): Promise<Mosquitto> {
  await mkdir(join(options.dir, 'data'), { recursive: true })
  const auth: string[] = []
  if (options.acls === undefined) {
    const passwd = join(options.dir, 'passwd')
    await writeFile(passwd, Object.entries(options.users).map(([u, p]) => `${u}:${mosquittoHash(p)}\n`).join(''), { mode: 0o600 })
    auth.push(`password_file ${passwd}`)
  } else {
    const dynsec = join(options.dir, 'dynamic-security.json')
    await writeFile(dynsec, dynsecConfig(options.users, options.acls), { mode: 0o600 })
    auth.push(`plugin ${dynsecPlugin()}`, `plugin_opt_config_file ${dynsec}`)
  }
  const port = await freePort()
  const plainPort = options.plainListener === true ? await freePort() : null
  const confFile = join(options.dir, 'mosquitto.conf')
  const lines = [
    'per_listener_settings false',
    'allow_anonymous false',
    ...auth,
    'persistence true',
    `persistence_location ${join(options.dir, 'data')}/`,
    'max_queued_messages 100000',
    'log_dest stderr',
    'log_type error', 'log_type warning', 'log_type notice', 'log_type information',
    'connection_messages true',
    // As root Mosquitto would drop to user `mosquitto`, which cannot read the test directory.
    `user ${userInfo().username}`,
    ...(options.extra ?? []),
    `listener ${port} 127.0.0.1`,
    `cafile ${options.pki.ca}`,
    `certfile ${options.pki.cert}`,
    `keyfile ${options.pki.key}`,
    ...(plainPort === null ? [] : [`listener ${plainPort} 127.0.0.1`]),
    ''
  ]
  await writeFile(confFile, lines.join('\n'))

  let child: ChildProcess | null = null
  let frozen = false
  const log: string[] = []
  const clients = new Set<MqttClient>()

  const logs = (): string => log.slice(-40).join('\n')

  const start = async (): Promise<void> => {
    if (child !== null) throw new Error('mosquitto already running')
    const proc = spawn('/usr/sbin/mosquitto', ['-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] })
    child = proc
    proc.once('exit', () => { if (child === proc) child = null })
    await new Promise<void>((resolve, reject) => {
      let buffered = ''
      const timer = setTimeout(() => { reject(new Error(`mosquitto not running after ${READY_MS} ms:\n${logs()}`)) }, READY_MS)
      proc.stderr?.setEncoding('utf8')
      proc.stderr?.on('data', (chunk: string) => {
        buffered += chunk
        const parts = buffered.split('\n')
        buffered = parts.pop() ?? ''
        for (const line of parts) {
          log.push(line)
          if (/mosquitto version \S+ running/.test(line)) {
            clearTimeout(timer)
            resolve()
          }
        }
      })
      proc.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`mosquitto exited with ${String(code)} before running:\n${logs()}`))
      })
    })
    // The log line comes after the listeners are open; prove it with a real TLS MQTT connection.
    const [user, password] = Object.entries(options.users)[0] ?? ['', '']
    const probe = await client(user, password, { clientId: `probe-${randomBytes(4).toString('hex')}` })
    await probe.endAsync()
  }

  const stop = async (): Promise<void> => {
    for (const c of clients) c.end(true)
    clients.clear()
    const proc = child
    if (proc === null) return
    if (frozen) thaw()
    const exited = new Promise<void>((resolve) => { proc.once('exit', () => { resolve() }) })
    proc.kill('SIGTERM')
    const timer = setTimeout(() => { proc.kill('SIGKILL') }, STOP_MS)
    await exited
    clearTimeout(timer)
  }

  const freeze = (): void => {
    if (child === null) throw new Error('mosquitto is not running')
    child.kill('SIGSTOP')
    frozen = true
  }

  const thaw = (): void => {
    if (child === null) throw new Error('mosquitto is not running')
    child.kill('SIGCONT')
    frozen = false
  }

  const client = async (username: string, password: string, extra: IClientOptions = {}, beforeConnect?: (c: MqttClient) => void): Promise<MqttClient> => {
    const c = connect(`mqtts://127.0.0.1:${port}`, {
      username, password, ca: await readFile(options.pki.ca), reconnectPeriod: 0, connectTimeout: 5000, ...extra
    })
    clients.add(c)
    beforeConnect?.(c)
    await new Promise<void>((resolve, reject) => {
      c.once('connect', () => { resolve() })
      c.once('error', reject)
      c.once('close', () => { reject(new Error('closed before CONNACK')) })
    })
    return c
  }

  await start()
  return { port, url: `mqtts://127.0.0.1:${port}`, plainPort, pki: options.pki, start, stop, freeze, thaw, client, logs }
}
