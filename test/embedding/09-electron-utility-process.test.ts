// Does the hub speak its IPC protocol over Electron's process.parentPort, and does the utilityProcess adapter let the supervisor start, restart and stop it? (Electron's utilityProcess emulated over Node IPC: Electron itself is not installed.)
import { join } from 'node:path'
import t from 'tap'
import { createHubSupervisor, utilityProcessSpawner, type HubReadyInfo } from '../../src/supervisor/index.js'
import { embeddedHubArgs, processGone, waitGone } from '../helpers/embedding-hub.js'
import { emulatedUtilityProcess } from '../helpers/embedding-electron.js'
import { BIN } from '../helpers/process.js'
import { waitFor } from '../helpers/wait.js'

t.test('through the utilityProcess adapter the hub reports ready over parentPort, is restarted after a SIGKILL, and stops with exit 0 on shutdown', async (t) => {
  let output = ''
  const supervisor = createHubSupervisor({
    spawn: utilityProcessSpawner(emulatedUtilityProcess),
    entry: BIN,
    args: embeddedHubArgs(join(t.testdir(), 'data')),
    env: { PATH: process.env.PATH ?? '' },
    output: (_s, chunk) => { output += chunk },
    restart: { initialDelayMs: 100 }
  })
  t.teardown(async () => { await supervisor.stop() })
  const r1 = await supervisor.start()
  t.ok(r1.ports.mqtt > 0, 'ready, with the bound ports, from process.parentPort.postMessage')
  t.equal(supervisor.pid, r1.pid)

  const again = waitFor<[HubReadyInfo]>(supervisor, 'ready', 20000, 'ready after the restart')
  process.kill(r1.pid, 'SIGKILL')
  const [r2] = await again
  t.not(r2.pid, r1.pid, 'a new process')
  const exit = supervisor.lastExit
  t.ok(exit !== null && exit.code !== 0 && exit.code !== null && !exit.requested && exit.wasReady, `a code but no signal name, as Electron reports it, counted as a crash: ${JSON.stringify(exit)}`)
  await waitGone(r1.pid, 5000)

  const stopped = await supervisor.stop()
  t.match(stopped.exit, { pid: r2.pid, code: 0, requested: true, forced: false }, 'shutdown arrived as a parentPort message event and the hub exited 0')
  t.match(output, /"reason":"shutdown requested by parent"/)
  t.ok(processGone(r2.pid))
})
