// Defect 1: is a QoS 1 PUBACK (or QoS 2 PUBREC) sent only after the message is stored for every matching persistent session, so that SIGKILL at the acknowledgement loses nothing?
import t from 'tap'
import { startTarget } from '../helpers/process.js'
import { connect, connectCollecting } from '../helpers/mqtt.js'

const TRIALS = 5

for (const qos of [1, 2] as const) {
  t.test(`QoS ${qos}: killed the moment the single ${qos === 1 ? 'PUBACK' : 'PUBREC'} arrives, ${TRIALS} of ${TRIALS} messages survive`, async (t) => {
    let survived = 0
    for (let trial = 0; trial < TRIALS; trial++) {
      const dataDir = `${t.testdir()}/data-${trial}`
      let { proc, port } = await startTarget(t, dataDir)
      const sub = await connect(t, port, { clientId: 'store-app-1', clean: false })
      await sub.subscribeAsync('salon/s1/pad/signature', { qos })
      await sub.endAsync()
      const pub = await connect(t, port, { clientId: 'mango-pad-1' })
      // QoS 2: the broker owes the message from PUBREC on [MQTT-4.3.3]; kill there
      await new Promise<void>((resolve) => {
        pub.on('packetreceive', (packet) => { if (packet.cmd === 'puback' || packet.cmd === 'pubrec') { proc.kill('SIGKILL'); resolve() } })
        pub.publish('salon/s1/pad/signature', `sig-${trial}`, { qos })
      })
      await proc.exited()
      pub.end(true)
      ;({ proc, port } = await startTarget(t, dataDir))
      const { client: back, got } = await connectCollecting(t, port, { clientId: 'store-app-1', clean: false })
      try {
        const [m] = await got.next(1, 10000)
        if (m?.payload === `sig-${trial}`) survived++
        else t.comment(`trial ${trial}: got ${JSON.stringify(m)}`)
      } catch (err) { t.comment(`trial ${trial}: ${(err as Error).message}`) }
      back.end(true)
      proc.kill('SIGKILL')
      await proc.exited()
    }
    t.equal(survived, TRIALS, 'every acknowledged message reached the persistent subscriber after the restart')
  })
}
