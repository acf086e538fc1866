/**
 * Mosquitto 2 for the comparison: the Debian package (installed here with apt-get when missing
 * and allowed), a generated configuration on a loopback port with the settings the issue asks
 * for (TCP_NODELAY, persistence on, anonymous), and queues large enough for W4.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join } from 'node:path'

export const MOSQUITTO = '/usr/sbin/mosquitto'

/** The configuration file text. Pure. */
export function mosquittoConf (options: { port: number, dataDir: string, user: string }): string {
  return [
    'per_listener_settings false',
    'allow_anonymous true',
    'set_tcp_nodelay true',
    'persistence true',
    `persistence_location ${join(options.dataDir, '')}`,
    // the default (1000) would drop most of W4's 10,000 queued messages; 0 bytes = unbounded
    'max_queued_messages 100000',
    'max_queued_bytes 0',
    'max_inflight_messages 20',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    // as root Mosquitto would switch to user `mosquitto`, which cannot write the temp directory
    `user ${options.user}`,
    `listener ${options.port} 127.0.0.1`,
    ''
  ].join('\n')
}

/** The user Mosquitto should run as (the current one). */
export function currentUser (): string {
  return userInfo().username
}

/** Install the Debian package if Mosquitto is missing (as root with apt-get); throws with what to do otherwise. */
export function ensureMosquitto (log: (line: string) => void): void {
  if (existsSync(MOSQUITTO)) return
  const apt = ['/usr/bin/apt-get', '/bin/apt-get'].find((p) => existsSync(p))
  if (apt === undefined || process.getuid?.() !== 0) {
    throw new Error(`${MOSQUITTO} not found: install the Debian package "mosquitto" (apt-get install -y mosquitto) and run again`)
  }
  log('installing the Debian package mosquitto (apt-get)')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync(apt, ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync(apt, ['install', '-y', '-qq', '--no-install-recommends', 'mosquitto'], { stdio: 'inherit', env })
  // the package starts a system broker on 1883 where it can; the benchmark starts its own
  try { execFileSync('service', ['mosquitto', 'stop'], { stdio: 'ignore' }) } catch { /* no service manager here */ }
  if (!existsSync(MOSQUITTO)) throw new Error(`apt-get finished but ${MOSQUITTO} is still missing`)
}
