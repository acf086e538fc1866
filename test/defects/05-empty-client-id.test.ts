// Defect 5: does a zero-length client id with clean session 0 get CONNACK 0x02 [MQTT-3.1.3-8], while with clean session 1 it is accepted [MQTT-3.1.3-6]?
import { connect as netConnect } from 'node:net'
import { once } from 'node:events'
import t from 'tap'
import { startTarget } from '../helpers/process.js'
import { connect } from '../helpers/mqtt.js'

t.test('an empty client id with clean session 0 is refused with CONNACK 0x02', async (t) => {
  const { port } = await startTarget(t, `${t.testdir()}/data`)
  // mqtt.js refuses to send this CONNECT, so it is written by hand: MQTT 3.1.1, clean session 0, client id ""
  const s = netConnect(port, '127.0.0.1')
  t.teardown(() => { s.destroy() })
  await once(s, 'connect')
  s.write(Buffer.from([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x00, 0, 60, 0, 0]))
  const [connack] = await once(s, 'data') as [Buffer]
  t.equal(connack.toString('hex'), '20020002', 'CONNACK return code 0x02, identifier rejected [MQTT-3.1.3-8]')
})

t.test('an empty client id with clean session 1 is accepted [MQTT-3.1.3-6]', async (t) => {
  const { port } = await startTarget(t, `${t.testdir()}/data`)
  const client = await connect(t, port, { clientId: '', clean: true })
  t.ok(client.connected)
})
