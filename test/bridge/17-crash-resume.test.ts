// After the process writing the outbox is SIGKILLed, does a bridge re-opened on the same LevelDB directory send every committed message, in order, and number new ones after them?
import t from 'tap'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startCloud } from '../helpers/bridge-cloud.js'
import { localHubFactory, startLocalBridgeHub } from '../helpers/bridge-harness.js'
import { PERSISTENT, envelope, idOf, scenarioRestartWhileCloudDown } from '../helpers/bridge-scenarios.js'
import { subscribe, under } from '../helpers/bridge-wait.js'

const writer = fileURLToPath(new URL('../helpers/bridge-outbox-writer.ts', import.meta.url))

/** Run the writer until it has committed `count` messages, then SIGKILL it. */
async function writeThenKill (dir: string, count: number, salonId: string): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, [...process.execArgv, writer, dir, String(count), salonId], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<NodeJS.Signals | null>((resolve) => { child.once('exit', (_code, signal) => { resolve(signal) }) })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`writer did not commit ${count} messages in time: ${stderr}`)) }, 60_000)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!chunk.includes(`committed ${count}`)) return
      clearTimeout(timer)
      child.kill('SIGKILL')
      resolve()
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`writer exited with ${String(code)}: ${stderr}`)) })
  })
  return await exited
}

t.test('the outbox written by a SIGKILLed process drains completely, in order, and new messages follow it', async (t) => {
  const salonId = 'salon-crash'
  const prefix = `salon/${salonId}/`
  const dir = t.testdir()
  const hubDir = join(dir, 'hub')
  const signal = await writeThenKill(hubDir, 500, salonId)
  t.equal(signal, 'SIGKILL', 'the writer died by SIGKILL, in the middle of writing')

  const cloud = await startCloud(t, 'v5', salonId, join(dir, 'cloud'))
  const app = await cloud.app('app-crash', PERSISTENT)
  await subscribe(app.client, `${prefix}tickets/#`)
  const hub = await startLocalBridgeHub({ dir: hubDir, salonId, bridge: cloud.bridgeSection() })
  t.teardown(async () => { await hub.close() })
  const recovered = (await hub.status()).outbox.messages
  t.ok(recovered >= 500, `every committed message is in the re-opened outbox (${recovered}, at least 500)`)
  const device = await hub.device('device-crash')
  await device.client.publishAsync(`${prefix}tickets/after`, envelope('t-after', salonId), { qos: 1 })
  const got = (await app.seen.atLeast(recovered + 1, under(`${prefix}tickets/`), 60_000)).map(idOf)
  const expected = [...Array.from({ length: recovered }, (_, i) => `t-${i + 1}`), 't-after']
  t.same(got, expected, 'the cloud gets t-1 … t-N in order, then the message published after the restart')
})

t.test('a hub restarted while the cloud is down keeps its outbox and drains it when the cloud is back', async (t) => {
  await scenarioRestartWhileCloudDown(t, localHubFactory, 'v5')
})
