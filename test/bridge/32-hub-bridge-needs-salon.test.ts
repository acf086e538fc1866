// Does a hub with bridge.url but no salonId refuse to start with a message naming salonId, instead of logging in to the cloud as a made-up salon?
import { join } from 'node:path'
import t from 'tap'
import { ConfigError } from '../../src/errors.js'
import { startRealHub } from '../helpers/e2e-hub.js'
import { hubArgs, spawnHub } from '../helpers/process.js'

const bridge = { url: 'mqtts://127.0.0.1:1', password: 'bridge-token-unused' }

for (const mode of ['devices', 'open'] as const) {
  t.test(`auth.mode ${mode}: hub.start() rejects with a ConfigError naming salonId and bridge.url`, async (t) => {
    const err = await startRealHub(t, { salonId: null, dataDir: join(t.testdir(), 'data'), auth: { mode }, bridge }).then(() => null, (e: unknown) => e)
    t.type(err, ConfigError, 'a configuration error')
    t.match((err as Error | null)?.message, /bridge\.url is set but salonId is not/, 'the message names both keys')
  })
}

t.test('the command line exits 3 (start-up failed) and says why on stderr', async (t) => {
  const proc = spawnHub(t, hubArgs(join(t.testdir(), 'data'), ['--set', `bridge.url=${bridge.url}`]))
  t.equal(await proc.exited(15_000), 3, 'exit code 3')
  t.match(proc.stderr(), /bridge\.url is set but salonId is not/, 'stderr names the problem')
})
