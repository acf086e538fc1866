// Defect 4: is a QoS 1 message on disk (written to LevelDB's log and fdatasync'ed) before its PUBACK leaves, so a power cut cannot lose what a device saw acknowledged?
import { readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import t from 'tap'
import { startTarget } from '../helpers/process.js'
import { connect } from '../helpers/mqtt.js'

function hasStrace (): boolean {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

t.test('the system calls show: the message written to the LevelDB log, fdatasync, then PUBACK', { skip: hasStrace() ? false : 'strace is not installed (.ci/run installs it)' }, async (t) => {
  const trace = `${t.testdir()}/trace`
  const { proc, port } = await startTarget(t, `${t.testdir()}/data`, { wrap: ['strace', '-f', '-qq', '-s', '256', '-e', 'trace=fdatasync,fsync,write,writev', '-o', trace] })
  const sub = await connect(t, port, { clientId: 'store-app-1', clean: false })
  await sub.subscribeAsync('salon/s1/checkin/#', { qos: 1 })
  await sub.endAsync()
  const pub = await connect(t, port, { clientId: 'check-in-1' })
  await pub.publishAsync('salon/s1/checkin/client', 'walk-in-fsync-marker', { qos: 1 })
  pub.end(true)
  // the child is strace: stop the traced hub itself, and strace ends with it
  const ready = await proc.line((l) => l.msg === 'ready')
  process.kill(ready.pid as number, 'SIGTERM')
  t.equal(await proc.exited(), 0, 'strace ended with the hub')
  const lines = readFileSync(trace, 'utf8').split('\n')
  const stored = lines.findIndex((l) => /^\d+\s+write\(/.test(l) && l.includes('walk-in-fsync-marker'))
  const puback = lines.findIndex((l) => /iov_base="@", iov_len=1\}, \{iov_base="\\2"/.test(l) || /write\(\d+, "@\\2/.test(l))
  t.ok(stored >= 0, 'the message was written to a file')
  t.ok(puback >= 0, 'a PUBACK was written to the socket')
  const synced = lines.findIndex((l, i) => i > stored && /(fdatasync|fsync)\(/.test(l))
  t.ok(stored >= 0 && stored < puback, 'stored before PUBACK')
  t.ok(synced > stored && synced < puback, 'fdatasync between the write and the PUBACK')
})
