// When the hub process is SIGKILLed while the cloud is down, does every message it acknowledged to a device reach the cloud once, in publish order, after it is restarted on the same data directory and the cloud comes back?
import t, { type Test } from 'tap'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { startCloud } from '../helpers/bridge-cloud.js'
import { PERSISTENT, envelope, idOf } from '../helpers/bridge-scenarios.js'
import { subscribe, under } from '../helpers/bridge-wait.js'
import { bridgePart, startHubProcess, type RunningHub } from '../helpers/e2e-process.js'

const SALON = 'salon-kill'
const PREFIX = `salon/${SALON}/`
const WINDOW = 20

async function device (port: number, clientId: string): Promise<MqttClient> {
  const client = mqtt.connect({ host: '127.0.0.1', port, clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 })
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => { resolve() })
    client.once('error', reject)
  })
  return client
}

/**
 * Publish `prefix1`, `prefix2`, … at QoS 1 with up to WINDOW in flight, and SIGKILL the hub from
 * inside the PUBACK callback of the `killAfter`-th acknowledged message, so more are in flight at
 * the moment of the kill. Resolves the ids the hub acknowledged (in acknowledgement order) and
 * the number sent.
 */
async function publishAndKill (t: Test, hub: RunningHub, prefix: string, killAfter: number, max: number): Promise<{ acked: string[], sent: number }> {
  const client = await device(hub.ports.mqtt, `device-${prefix}`)
  client.on('error', () => { /* the connection dies with the hub: expected */ })
  const acked: string[] = []
  let sent = 0
  let inflight = 0
  let killed = false
  const exited = hub.proc.exited(30_000)
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      while (!killed && inflight < WINDOW && sent < max) {
        sent += 1
        inflight += 1
        const id = `${prefix}${sent}`
        client.publish(`${PREFIX}tickets/${id}`, envelope(id, SALON), { qos: 1 }, (err) => {
          inflight -= 1
          if (killed) return
          if (err !== undefined && err !== null) { reject(err); return }
          acked.push(id)
          if (acked.length === killAfter) {
            killed = true
            hub.proc.kill('SIGKILL')
            resolve()
            return
          }
          pump()
        })
      }
      if (!killed && sent >= max && inflight === 0) reject(new Error(`all ${max} acknowledged before the kill point ${killAfter}`))
    }
    pump()
  })
  t.equal(await exited, 'SIGKILL', `the hub died by SIGKILL after acknowledging ${acked.length} messages, with ${sent - acked.length} more sent`)
  client.end(true)
  return { acked, sent }
}

t.test('messages acknowledged before two SIGKILLs reach the cloud once and in order after the restarts', async (t) => {
  const dir = t.testdir()
  const cloud = await startCloud(t, 'v5', SALON, join(dir, 'cloud'))
  const app = await cloud.app('app-kill', PERSISTENT)
  await subscribe(app.client, `${PREFIX}tickets/#`)
  const { password, ...section } = cloud.bridgeSection()
  const config = { salonId: SALON, bridge: section, log: { level: 'info' } }
  // The bridge token comes from the environment, as an installer would give it.
  const env = { MANGO_BROKER_BRIDGE_PASSWORD: password as string }
  const hubDir = join(dir, 'hub')

  const first = await startHubProcess(t, hubDir, config, env)
  await first.waitForStatus((s) => bridgePart(s).state === 'online', 'bridge online')
  await cloud.mosquitto.stop()
  await first.waitForStatus((s) => bridgePart(s).state === 'offline', 'bridge offline after the cloud stopped')
  const one = await publishAndKill(t, first, 't-', 300, 5000)

  const second = await startHubProcess(t, hubDir, config, env)
  const reopened = bridgePart(await second.status())
  t.ok(reopened.outbox.messages >= one.acked.length, `after the SIGKILL the outbox holds every acknowledged message (${reopened.outbox.messages} ≥ ${one.acked.length})`)
  t.ok(reopened.outbox.messages <= one.sent, 'and nothing that was never sent')
  const two = await publishAndKill(t, second, 'u-', 50, 5000)

  const third = await startHubProcess(t, hubDir, config, env)
  const last = await device(third.ports.mqtt, 'device-after')
  t.teardown(() => { last.end(true) })
  await last.publishAsync(`${PREFIX}tickets/after`, envelope('after', SALON), { qos: 1 })
  const waiting = bridgePart(await third.status()).outbox.messages
  await cloud.mosquitto.start()
  const back = await cloud.app('app-kill', PERSISTENT)
  await back.seen.atLeast(1, (m) => m.topic === `${PREFIX}tickets/after`, 60_000)
  const got = back.seen.where(under(`${PREFIX}tickets/`)).map(idOf)
  t.equal(got.length, waiting, `the cloud got exactly what the outbox held (${waiting} messages)`)

  const t1 = got.filter((id) => id.startsWith('t-'))
  const u1 = got.filter((id) => id.startsWith('u-'))
  t.same(got, [...t1, ...u1, 'after'], 'the first run\'s messages, then the second run\'s, then the message after the last restart')
  t.same(t1, Array.from({ length: t1.length }, (_, i) => `t-${i + 1}`), 'the first run\'s messages arrive once each, in publish order, with no gap')
  t.same(u1, Array.from({ length: u1.length }, (_, i) => `u-${i + 1}`), 'the second run\'s messages arrive once each, in publish order, with no gap')
  t.ok(one.acked.every((id) => t1.includes(id)) && two.acked.every((id) => u1.includes(id)), `every acknowledged message arrived (${one.acked.length} + ${two.acked.length})`)
  await third.waitForStatus((s) => bridgePart(s).outbox.messages === 0, 'outbox drained')
})
