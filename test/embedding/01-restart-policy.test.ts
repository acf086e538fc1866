// When does the supervisor restart a crashed hub, after how long, when does it give up, which IPC messages does it accept, and when does a hub decide its parent is gone?
import t from 'tap'
import { backoffDelay, classifyExit, decideAfterExit, DEFAULT_RESTART_POLICY, policyProblems, type RestartDecision, type RestartPolicy } from '../../src/supervisor/restart-policy.js'
import { isHubToParent, isParentToHub, SHUTDOWN } from '../../src/lifecycle/ipc-protocol.js'
import { parentGone } from '../../src/lifecycle/ipc-child.js'

const policy: RestartPolicy = DEFAULT_RESTART_POLICY
const crash = { code: 1, signal: null, requested: false, timedOut: false }
const killed = { code: null, signal: 'SIGKILL', requested: false, timedOut: false }

t.test('a requested stop and an exit 0 are stops; exit 2 is a configuration error; everything else is a crash', async (t) => {
  t.equal(classifyExit({ code: 0, signal: null, requested: true, timedOut: false }), 'stopped')
  t.equal(classifyExit({ code: null, signal: 'SIGKILL', requested: true, timedOut: false }), 'stopped', 'a stop that had to SIGKILL is still a stop')
  t.equal(classifyExit({ code: 0, signal: null, requested: false, timedOut: false }), 'stopped', 'exit 0 nobody asked for: someone else stopped it gracefully')
  t.equal(classifyExit({ code: 2, signal: null, requested: false, timedOut: false }), 'config')
  t.equal(classifyExit(crash), 'crash')
  t.equal(classifyExit({ code: 3, signal: null, requested: false, timedOut: false }), 'crash', 'exit 3 (port in use, store locked) may clear up: a crash')
  t.equal(classifyExit(killed), 'crash')
  t.equal(classifyExit({ code: null, signal: null, requested: false, timedOut: false }), 'crash', 'a process that could not be started')
  t.equal(classifyExit({ code: 0, signal: null, requested: false, timedOut: true }), 'crash', 'killed for not being ready, even if it then exited 0')
  t.equal(classifyExit({ code: 0, signal: null, requested: true, timedOut: true }), 'stopped', 'stop() after the ready timeout fired is still a stop')
})

t.test('the first restart after a crash waits 1 s like the seed, then the delay doubles up to the cap', async (t) => {
  t.equal(policy.initialDelayMs, 1000)
  t.same([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, policy)), [1000, 2000, 4000, 8000, 16000, 30000, 30000])
  t.equal(backoffDelay(0, policy), 1000, 'never below the initial delay')
  t.same([1, 2, 3].map((n) => backoffDelay(n, { ...policy, initialDelayMs: 100, factor: 3, maxDelayMs: 500 })), [100, 300, 500])
})

t.test('crashes restart with growing delays and the fifth crash within a minute gives up', async (t) => {
  let history: readonly number[] = []
  const decisions: RestartDecision[] = []
  for (let i = 0; i < 5; i++) {
    const d = decideAfterExit(killed, history, 1_000_000 + i * 5000, policy)
    decisions.push(d)
    history = d.crashes
  }
  t.same(decisions.slice(0, 4).map((d) => d.action === 'restart' ? d.delayMs : d.action), [1000, 2000, 4000, 8000])
  const last = decisions[4]
  t.equal(last?.action, 'give-up')
  t.match(last, { reason: 'crash loop: 5 crashes within 60 s' }, 'the reason names the count and the window')
  t.equal(last?.crashes.length, 5)
})

t.test('crashes older than the window are forgotten: a crash after a stable run restarts after 1 s', async (t) => {
  const old = [0, 10_000, 20_000, 30_000]
  const d = decideAfterExit(crash, old, 30_000 + policy.windowMs, policy)
  t.match(d, { action: 'restart', delayMs: 1000 }, 'only the crashes inside the window count')
  t.same(d.crashes, [30_000 + policy.windowMs], 'the history keeps only the window')
  const within = decideAfterExit(crash, old, 30_000 + policy.windowMs - 1, policy)
  t.equal(within.action, 'restart')
  t.equal(within.crashes.length, 2, 'the crash one millisecond inside the window still counts')
})

t.test('an invalid configuration gives up at once, and a stop never restarts', async (t) => {
  t.match(decideAfterExit({ code: 2, signal: null, requested: false, timedOut: false }, [], 0, policy), { action: 'give-up', reason: /configuration is invalid .*exit code 2/ })
  t.match(decideAfterExit({ code: 0, signal: null, requested: false, timedOut: false }, [5], 10, policy), { action: 'stop', crashes: [5] })
  t.match(decideAfterExit({ code: 1, signal: null, requested: true, timedOut: false }, [], 10, policy), { action: 'stop', crashes: [] }, 'a failing requested stop is not counted as a crash')
})

t.test('maxCrashes 1 gives up at the first crash (fail fast)', async (t) => {
  t.match(decideAfterExit(crash, [], 0, { ...policy, maxCrashes: 1 }), { action: 'give-up', reason: 'crash loop: 1 crashes within 60 s' })
})

t.test('an invalid policy is reported key by key with the value received', async (t) => {
  t.same(policyProblems(policy), [])
  t.same(policyProblems({ initialDelayMs: -1, factor: 0.5, maxDelayMs: -2, maxCrashes: 0, windowMs: 0 }), [
    'restart.initialDelayMs must be a number >= 0 (received -1)',
    'restart.factor must be a number >= 1 (received 0.5)',
    'restart.maxDelayMs must be a number >= initialDelayMs (received -2)',
    'restart.maxCrashes must be an integer >= 1 (received 0)',
    'restart.windowMs must be a number > 0 (received 0)'
  ])
})

t.test('the parent accepts only well-formed hub messages', async (t) => {
  const ports = { mqtt: 1883, ws: 8083, tls: null, http: 8080 }
  t.ok(isHubToParent({ type: 'ready', ports, version: '0.1.0', pid: 42 }))
  t.ok(isHubToParent({ type: 'status', component: 'bridge', state: 'online' }))
  t.ok(isHubToParent({ type: 'status', component: 'bridge', state: 'online', detail: { backlog: 3 } }))
  t.ok(isHubToParent({ type: 'error', code: 'MANGO_ERR_LISTEN', message: 'port 1883 in use' }))
  const bad: unknown[] = [
    null, 'ready', [], { type: 'ready' },
    { type: 'ready', ports: { ...ports, mqtt: '1883' }, version: '0.1.0', pid: 42 },
    { type: 'ready', ports: { ...ports, http: 70000 }, version: '0.1.0', pid: 42 },
    { type: 'ready', ports, version: '0.1.0', pid: 4.2 },
    { type: 'status', component: 'bridge' },
    { type: 'status', component: 'bridge', state: 'online', detail: 'x' },
    { type: 'error', code: 1, message: 'x' },
    { type: 'shutdown' }
  ]
  for (const m of bad) t.notOk(isHubToParent(m), `refused: ${JSON.stringify(m)}`)
})

t.test('the hub acts only on {type:"shutdown"}', async (t) => {
  t.ok(isParentToHub(SHUTDOWN))
  t.ok(isParentToHub({ type: 'shutdown' }))
  for (const m of [null, 'shutdown', { type: 'stop' }, { kind: 'shutdown' }]) t.notOk(isParentToHub(m), `ignored: ${JSON.stringify(m)}`)
  t.ok(Object.isFrozen(SHUTDOWN), 'the shared message cannot be altered')
})

t.test('a hub under Electron counts its parent as gone when it was reparented (POSIX) or the parent pid no longer exists (Windows)', async (t) => {
  const exists = (alive: number[]) => (pid: number) => alive.includes(pid)
  t.notOk(parentGone(100, 100, exists([100])), 'same parent, still running')
  t.ok(parentGone(100, 1, exists([1, 100])), 'reparented to init')
  t.ok(parentGone(100, 100, exists([])), 'same ppid reported but the process is gone')
})
