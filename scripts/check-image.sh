#!/usr/bin/env bash
# Validate the Docker image and compose definitions without a Docker engine.
#
#   scripts/check-image.sh          (from any directory; needs node, npm and the npm registry)
#   CHECK_IMAGE_CONTEXT=DIR scripts/check-image.sh    (another build context, e.g. a `git archive` export)
#
# 1. Reads the Dockerfile: stages, base images (glibc Debian, Node LTS), non-root USER,
#    production-only npm ci in the final stage, VOLUME, EXPOSE, HEALTHCHECK, STOPSIGNAL, CMD.
# 2. Replays its steps in a clean temporary directory: every COPY from the build context, every
#    npm command of every RUN (npm ci, npm run build, npm ci --omit=dev); system steps that need
#    root (useradd, chown) are listed and skipped.
# 3. Starts the replayed runtime as the image's ENTRYPOINT + CMD would (data in a temp dir, ports
#    moved to free loopback ports through MANGO_BROKER_* variables), waits for /ready 200, runs
#    the HEALTHCHECK command against it (and against a closed port, where it must fail), sends
#    SIGTERM and expects exit 0.
# 4. Reads docker-compose.yml (with the `yaml` package of node_modules when present, otherwise a
#    line check), checks its mounts and volumes, and `config check`s the hub configuration it
#    mounts. With a `mosquitto` binary on PATH it also runs the compose pair on loopback: the
#    Mosquitto configuration as the cloud, the replayed hub with the compose hub configuration,
#    and checks that a message crosses the bridge both ways.
#
# Idempotent: everything happens in a new temporary directory, removed at exit, and only
# processes started here are stopped. Exit 0 when every check passes, 1 otherwise.
set -euo pipefail

ROOT=${CHECK_IMAGE_CONTEXT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mango-check-image.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "check-image: replaying in $WORK with node $(node --version), npm $(npm --version)"
node --input-type=module - "$ROOT" "$WORK" <<'JS'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { connect as connectTcp, createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [ROOT, WORK] = process.argv.slice(2)
const started = Date.now()
const failures = []
const children = new Set()
const say = (m) => { process.stdout.write(`${m}\n`) }
const check = (ok, what) => { say(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures.push(what) }
const finish = (code) => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); process.exit(code) }
process.on('uncaughtException', (err) => { say(`FAIL ${err.stack ?? err}`); finish(1) })

// ---- 1. the Dockerfile
const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').split('\n')
const instructions = []
for (let i = 0, buf = ''; i < lines.length; i++) {
  const line = lines[i]
  if (buf === '' && /^\s*(#|$)/.test(line)) continue
  if (/\\\s*$/.test(line)) { buf += line.replace(/\\\s*$/, ' '); continue }
  const full = (buf + line).trim()
  buf = ''
  const m = /^(\w+)\s+(.*)$/s.exec(full)
  if (m !== null) instructions.push({ op: m[1].toUpperCase(), arg: m[2].trim() })
}
const args = {}
const stages = []
for (const ins of instructions) {
  const arg = ins.arg.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args[a ?? b] ?? '')
  if (ins.op === 'ARG' && stages.length === 0) { const [k, v = ''] = ins.arg.split('='); args[k] = v; continue }
  if (ins.op === 'FROM') {
    const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(arg)
    stages.push({ base: m[1], name: m[2] ?? String(stages.length), steps: [] })
    continue
  }
  stages.at(-1)?.steps.push({ op: ins.op, arg })
}
const final = stages.at(-1)
const finalOf = (op) => final.steps.filter((s) => s.op === op).map((s) => s.arg)
const json = (text, what) => { try { return JSON.parse(text) } catch { check(false, `${what} is in exec form (a JSON array): ${text}`); return [] } }
check(stages.length >= 2, `multi-stage: ${stages.map((s) => s.name).join(' → ')}`)
for (const s of stages) {
  const m = /^node:(\d+)-(bookworm|trixie)-slim$/.exec(s.base)
  check(m !== null && Number(m[1]) % 2 === 0 && Number(m[1]) >= 22, `stage ${s.name} is on a Node LTS Debian slim (glibc) image: ${s.base}`)
}
const runs = final.steps.filter((s) => s.op === 'RUN').map((s) => s.arg)
const npmCi = runs.flatMap((r) => r.split('&&').map((x) => x.trim()).filter((x) => /^npm (ci|install|i)\b/.test(x)))
check(npmCi.length > 0 && npmCi.every((c) => /^npm ci\b.*--omit=dev/.test(c)), `final stage installs production dependencies only: ${npmCi.join('; ')}`)
check(final.steps.some((s) => s.op === 'COPY' && new RegExp(`--from=${stages[0].name}\\b.*dist`).test(s.arg)), `final stage copies dist/ from stage ${stages[0].name}`)
const user = finalOf('USER').at(-1)
check(user !== undefined && !/^(root|0)(:|$)/.test(user), `runs as a non-root user: ${user}`)
const lastUser = final.steps.map((s) => s.op).lastIndexOf('USER')
check(lastUser > final.steps.map((s) => s.op).lastIndexOf('RUN'), 'USER comes after the last RUN (root only for system setup)')
const volumes = finalOf('VOLUME').flatMap((v) => v.startsWith('[') ? json(v, 'VOLUME') : v.split(/\s+/))
check(volumes.includes('/var/lib/mango-broker'), `VOLUME ${volumes.join(' ')}`)
const exposed = finalOf('EXPOSE').flatMap((e) => e.split(/\s+/))
check(['1883', '8083', '8883', '8080'].every((p) => exposed.includes(p)), `EXPOSE ${exposed.join(' ')} (MQTT, WebSocket, TLS, HTTP)`)
check(finalOf('STOPSIGNAL').at(-1) === 'SIGTERM', 'STOPSIGNAL SIGTERM')
const hc = /^(?:--\S+\s+)*CMD\s+(\[.*\])$/s.exec(finalOf('HEALTHCHECK').at(-1) ?? '')
const healthcheck = hc === null ? [] : json(hc[1], 'HEALTHCHECK CMD')
check(healthcheck.length > 0 && healthcheck.join(' ').includes('/ready'), 'HEALTHCHECK probes /ready')
check(healthcheck[0] !== 'curl' && healthcheck[0] !== 'wget', `HEALTHCHECK needs nothing the slim image lacks: ${healthcheck[0]}`)
const entrypoint = json(finalOf('ENTRYPOINT').at(-1) ?? '[]', 'ENTRYPOINT')
const cmd = json(finalOf('CMD').at(-1) ?? '[]', 'CMD')
check(cmd.join(' ').includes('--data-dir /var/lib/mango-broker'), `CMD keeps the data in the volume: ${cmd.join(' ')}`)
const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
check(['node_modules', 'dist', '.git'].every((p) => ignored.includes(p)), '.dockerignore keeps host node_modules, dist and .git out of the build context')

// ---- 2. replay the steps, each stage under its own root in WORK
const roots = {}
const env0 = { PATH: process.env.PATH, HOME: process.env.HOME ?? WORK }
for (const s of stages) {
  const root = join(WORK, 'stages', s.name)
  roots[s.name] = root
  s.root = root
  s.cwd = '/'
  s.env = {}
  const at = (p) => join(root, resolve(s.cwd, p))
  say(`-- stage ${s.name} (${s.base})`)
  for (const step of s.steps) {
    if (step.op === 'WORKDIR') { s.cwd = resolve(s.cwd, step.arg); mkdirSync(at('.'), { recursive: true }) }
    if (step.op === 'ENV') for (const m of step.arg.matchAll(/(\w+)=("[^"]*"|\S+)/g)) s.env[m[1]] = m[2].replace(/^"|"$/g, '')
    if (step.op === 'COPY') {
      const words = step.arg.split(/\s+/)
      const from = words.find((w) => w.startsWith('--from='))?.slice(7)
      const paths = words.filter((w) => !w.startsWith('--'))
      const dest = paths.pop()
      for (const src of paths) {
        if (from === undefined) check(!ignored.includes(src.split('/')[0]), `COPY ${src} is in the build context (not in .dockerignore)`)
        const source = from === undefined ? join(ROOT, src) : join(roots[from], src)
        const target = dest.endsWith('/') || paths.length > 1 ? join(at(dest), src.split('/').at(-1)) : at(dest)
        cpSync(source, target, { recursive: true })
      }
      say(`   COPY ${step.arg}`)
    }
    if (step.op === 'RUN') {
      for (const part of step.arg.split('&&').map((x) => x.trim())) {
        const mkdir = /^mkdir -p (\/\S+)$/.exec(part)
        if (mkdir !== null) { mkdirSync(join(root, mkdir[1]), { recursive: true }); say(`   RUN ${part}  (under the stage root)`); continue }
        if (!part.startsWith('npm ') || part.startsWith('npm cache')) { say(`   skip ${part}  (system setup or cache: needs the image)`); continue }
        const t0 = Date.now()
        const res = spawnSync('bash', ['-c', part], { cwd: at('.'), env: { ...env0, ...s.env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 240000 })
        check(res.status === 0, `RUN ${part}  (${Date.now() - t0} ms)${res.status === 0 ? '' : `\n${res.stdout.slice(-1000)}${res.stderr.split('\n').filter((l) => !/EBADENGINE|Unknown user config/.test(l)).slice(0, 12).join('\n')}`}`)
        if (res.status !== 0) finish(1)
      }
    }
  }
}
const runtime = stages.at(-1)
const rt = (p) => join(runtime.root, p)
const binary = rt(entrypoint[1] ?? '')
check(existsSync(binary), `the ENTRYPOINT script exists in the replayed image: ${entrypoint[1]}`)
const addon = readdirSync(rt(join(runtime.cwd, 'node_modules/classic-level/prebuilds'))).filter((d) => d.startsWith('linux-'))
check(addon.includes('linux-x64') && addon.includes('linux-arm64'), `classic-level ships glibc prebuilds for the image's platforms: ${addon.join(', ')}`)
check(!existsSync(rt(join(runtime.cwd, 'node_modules/typescript'))) && !existsSync(rt(join(runtime.cwd, 'node_modules/tap'))), 'no dev dependency (typescript, tap) in the runtime stage')

// ---- 3. run it as the image would
const freePort = () => new Promise((res, rej) => { const s = createServer(); s.once('error', rej).listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)) }) })
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
async function until (what, ms, test) {
  const deadline = Date.now() + ms
  for (;;) {
    if (await test()) return true
    if (Date.now() > deadline) { check(false, `${what} within ${ms} ms`); return false }
    await sleep(100)
  }
}
const exited = (c) => c.exitCode !== null || c.signalCode !== null
function startHub (argv, extraEnv, label) {
  const mapped = argv.map((a) => a.startsWith('/') && (existsSync(rt(a)) || volumes.includes(a)) ? rt(a) : a)
  const child = spawn(process.execPath, mapped, { cwd: rt(runtime.cwd), env: { ...env0, ...runtime.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  child.log = ''
  child.stdout.setEncoding('utf8').on('data', (s) => { child.log += s })
  child.stderr.setEncoding('utf8').on('data', (s) => { child.log += s })
  child.label = label
  return child
}
const ready = async (port) => { try { return (await fetch(`http://127.0.0.1:${port}/ready`)).status === 200 } catch { return false } }
async function stop (child, ms) {
  child.kill('SIGTERM')
  await until(`${child.label} exits after SIGTERM`, ms, () => exited(child))
  return child.exitCode
}
async function loopbackEnv () {
  const [mqtt, ws, http] = [await freePort(), await freePort(), await freePort()]
  return { MANGO_BROKER_MQTT_HOST: '127.0.0.1', MANGO_BROKER_MQTT_PORT: String(mqtt), MANGO_BROKER_WS_HOST: '127.0.0.1', MANGO_BROKER_WS_PORT: String(ws), MANGO_BROKER_HTTP_HOST: '127.0.0.1', MANGO_BROKER_HTTP_PORT: String(http), MANGO_BROKER_TLS_HOST: '127.0.0.1' }
}
mkdirSync(rt('/var/lib/mango-broker'), { recursive: true })
const env = await loopbackEnv()
say(`-- start: node ${[...entrypoint.slice(1), ...cmd].join(' ')}  (data in the replay's /var/lib/mango-broker, loopback ports ${env.MANGO_BROKER_MQTT_PORT}/${env.MANGO_BROKER_HTTP_PORT})`)
const hub = startHub([...entrypoint.slice(1), ...cmd], env, 'the hub')
if (await until('/ready answers 200', 30000, async () => exited(hub) || await ready(env.MANGO_BROKER_HTTP_PORT)) && !exited(hub)) {
  check(true, '/ready answers 200')
  const probe = (port) => spawnSync(healthcheck[0] === 'node' ? process.execPath : healthcheck[0], healthcheck.slice(1), { env: { ...env0, ...runtime.env, MANGO_BROKER_HTTP_PORT: port }, timeout: 10000 }).status
  check(probe(env.MANGO_BROKER_HTTP_PORT) === 0, 'the HEALTHCHECK command exits 0 against the running hub')
  check(probe(String(await freePort())) === 1, 'the HEALTHCHECK command exits 1 when nothing answers')
  check(await stop(hub, 20000) === 0, 'SIGTERM: exit 0 (graceful close)')
  check(existsSync(rt('/var/lib/mango-broker/CURRENT')), 'LevelDB files are in the volume path')
} else {
  check(false, `the hub did not become ready; exit ${hub.exitCode ?? hub.signalCode}; output:\n${hub.log.slice(-2000)}`)
}

// ---- 4. docker-compose.yml
const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')
let compose = null
try { compose = createRequire(join(ROOT, 'package.json'))('yaml').parse(composeText) } catch (err) { say(`   (no yaml package: ${err.code ?? err.message}; line checks only)`) }
if (compose === null) {
  check(!composeText.includes('\t'), 'compose: no tab indentation')
  check(/^services:\s*$/m.test(composeText) && /^ {2}hub:\s*$/m.test(composeText) && /^ {2}cloud:\s*$/m.test(composeText), 'compose: services hub and cloud')
  check(/image: eclipse-mosquitto:2\s*$/m.test(composeText) && /hub-data:\/var\/lib\/mango-broker/.test(composeText), 'compose: Mosquitto 2 and the named data volume')
} else {
  const { hub: h, cloud: c } = compose.services ?? {}
  check(h?.build === '.' && typeof c?.image === 'string' && c.image.startsWith('eclipse-mosquitto:2'), `compose: the hub built from this Dockerfile, the cloud on ${c?.image}`)
  const mounts = (s) => (s?.volumes ?? []).map((v) => v.split(':'))
  const data = mounts(h).find(([, target]) => target === '/var/lib/mango-broker')
  check(data !== undefined && !data[0].startsWith('.') && data[0] in (compose.volumes ?? {}), `compose: hub data on a named volume (${data?.[0]})`)
  for (const [source, target] of [...mounts(h), ...mounts(c)].filter(([s]) => s.startsWith('./'))) check(existsSync(join(ROOT, source)), `compose: mounted file exists: ${source} → ${target}`)
  const configTarget = h?.command?.[h.command.indexOf('--config') + 1]
  const configSource = mounts(h).find(([, t]) => t === configTarget)?.[0]
  check(configSource !== undefined, `compose: the hub's --config ${configTarget} is a mounted file`)
  if (configSource !== undefined) {
    const res = spawnSync(process.execPath, [binary, 'config', 'check', '--config', join(ROOT, configSource)], { cwd: rt(runtime.cwd), env: env0, encoding: 'utf8' })
    check(res.status === 0, `compose: the hub configuration passes config check${res.status === 0 ? '' : `: ${res.stderr}`}`)
    const hubConfig = JSON.parse(readFileSync(join(ROOT, configSource), 'utf8'))
    const bridgeHost = /^mqtts?:\/\/([^:/]+)/.exec(hubConfig.bridge?.url ?? '')?.[1]
    check(bridgeHost !== undefined && bridgeHost in compose.services, `compose: the bridge points at a compose service (${bridgeHost})`)
    const mosquittoConf = mounts(c).find(([, t]) => t === '/mosquitto/config/mosquitto.conf')?.[0]
    const hasMosquitto = spawnSync('mosquitto', ['-h'], { stdio: 'ignore' }).error === undefined
    if (!hasMosquitto || mosquittoConf === undefined) say(`   skip the loopback compose run: ${hasMosquitto ? 'no mosquitto.conf mount' : 'no mosquitto binary on PATH'}`)
    else await composeOnLoopback(hubConfig, join(ROOT, mosquittoConf))
  }
}

/** The compose pair without Docker: Mosquitto with the compose configuration as the cloud, the replayed hub with the compose hub configuration. */
async function composeOnLoopback (hubConfig, confFile) {
  const cloudPort = await freePort()
  const conf = readFileSync(confFile, 'utf8').split('\n').map((l) => {
    if (/^listener\s/.test(l)) return `listener ${cloudPort} 127.0.0.1`
    // Run as root, Mosquitto drops to its own user, which cannot write in this temp directory.
    if (/^persistence(_location)?\s/.test(l)) return '#' + l
    return l
  }).join('\n') + '\npersistence false\n'
  writeFileSync(join(WORK, 'mosquitto.conf'), conf)
  const cloud = spawn('mosquitto', ['-c', join(WORK, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(cloud)
  let cloudLog = ''
  cloud.stdout.setEncoding('utf8').on('data', (s) => { cloudLog += s })
  cloud.stderr.setEncoding('utf8').on('data', (s) => { cloudLog += s })
  // Mosquitto's stdout log is block-buffered on a pipe: wait for its port, not for a log line.
  const accepts = () => new Promise((res) => { const s = connectTcp(cloudPort, '127.0.0.1'); s.once('connect', () => { s.destroy(); res(true) }).once('error', () => { res(false) }) })
  const up = await until('the compose Mosquitto configuration starts', 10000, async () => exited(cloud) || await accepts())
  if (!up || exited(cloud)) { check(false, `mosquitto: ${cloudLog.slice(-800)}`); return }
  const configFile = join(WORK, 'hub.json')
  writeFileSync(configFile, JSON.stringify({ ...hubConfig, bridge: { ...hubConfig.bridge, url: hubConfig.bridge.url.replace(/\/\/[^:/]+(:\d+)?/, `//127.0.0.1:${cloudPort}`) } }))
  const env = await loopbackEnv()
  const pair = startHub([binary, '--config', configFile, '--data-dir', join(WORK, 'compose-data')], env, 'the compose hub')
  if (!await until('the compose hub is ready', 30000, async () => exited(pair) || await ready(env.MANGO_BROKER_HTTP_PORT)) || exited(pair)) { check(false, `compose hub: ${pair.log.slice(-1500)}`); return }
  const require = createRequire(rt(join(runtime.cwd, 'package.json')))
  const mqtt = require('mqtt')
  const { createMessage } = await import(pathToFileURL(rt(join(runtime.cwd, 'dist/envelope/message.js'))).href)
  const salon = hubConfig.salonId
  const connect = (port, clientId) => mqtt.connectAsync({ host: '127.0.0.1', port, clientId, protocolVersion: 4, reconnectPeriod: 0 })
  const got = (client, topic) => new Promise((res) => { client.on('message', (t, p) => { if (t === topic) res(p.toString()) }) })
  const atCloud = await connect(cloudPort, 'cloud-watcher')
  const atHub = await connect(Number(env.MANGO_BROKER_MQTT_PORT), 'store-app-dev1')
  await atCloud.subscribeAsync(`salon/${salon}/#`, { qos: 1 })
  await atHub.subscribeAsync(`salon/${salon}/#`, { qos: 1 })
  const bridged = await until('the bridge reports online in /status', 20000, async () => {
    try { return JSON.stringify(await (await fetch(`http://127.0.0.1:${env.MANGO_BROKER_HTTP_PORT}/status`)).json()).includes('"online"') } catch { return false }
  })
  if (bridged) {
    const outTopic = `salon/${salon}/tickets/created`
    const inTopic = `salon/${salon}/bookings/created`
    const up = got(atCloud, outTopic)
    const down = got(atHub, inTopic)
    await atHub.publishAsync(outTopic, JSON.stringify(createMessage({ deviceId: 'dev1', deviceType: 'store-app', salonId: salon }, { ticket: 1 })), { qos: 1 })
    await atCloud.publishAsync(inTopic, JSON.stringify(createMessage({ deviceId: 'portal', deviceType: 'online-store', salonId: salon }, { booking: 1 })), { qos: 1 })
    const timeout = (ms) => new Promise((res) => { setTimeout(() => res(null), ms).unref() })
    check(await Promise.race([up, timeout(10000)]) !== null, `compose pair: a hub publish reaches the cloud (${outTopic})`)
    check(await Promise.race([down, timeout(10000)]) !== null, `compose pair: a cloud publish reaches the hub (${inTopic})`)
  }
  atCloud.end(true)
  atHub.end(true)
  check(await stop(pair, 20000) === 0, 'compose hub: SIGTERM, exit 0')
  cloud.kill('SIGTERM')
  await until('mosquitto exits', 10000, () => exited(cloud))
}

say(`check-image: ${failures.length === 0 ? 'all checks passed' : `${failures.length} check(s) failed`} in ${Math.round((Date.now() - started) / 1000)} s`)
finish(failures.length === 0 ? 0 : 1)
JS
