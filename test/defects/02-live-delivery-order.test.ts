// Defect 2: does every live delivery arrive, in publish order, when persistent sessions make deliveries complete out of order (aedes dedupe, moscajs/aedes#955 and #994)?
import t from 'tap'
import { type MqttClient } from 'mqtt'
import { startTarget } from '../helpers/process.js'
import { collect, connect } from '../helpers/mqtt.js'

const CLIENTS = 10
const PAIRS = 40

t.test(`${CLIENTS} persistent clients each publishing ${PAIRS} QoS 1 + QoS 0 pairs: every subscriber gets all ${CLIENTS * PAIRS * 2}, each publisher's in order`, async (t) => {
  const { port } = await startTarget(t, `${t.testdir()}/data`)
  const clients: MqttClient[] = []
  const inboxes = []
  for (let i = 0; i < CLIENTS; i++) {
    const c = await connect(t, port, { clientId: `staff-tablet-${i}`, clean: false })
    await c.subscribeAsync('salon/s1/#', { qos: 1 })
    clients.push(c)
    inboxes.push(collect(c))
  }
  await Promise.all(clients.map(async (c, i) => {
    for (let n = 0; n < PAIRS; n++) {
      c.publish('salon/s1/tickets/updated', `${i}:${2 * n}`, { qos: 1 })
      c.publish('salon/s1/waitlist/updated', `${i}:${2 * n + 1}`, { qos: 0 })
    }
  }))
  const total = CLIENTS * PAIRS * 2
  let lost = 0
  let outOfOrder = 0
  const deadline = Date.now() + 20000
  for (const inbox of inboxes) {
    let messages
    try {
      messages = await inbox.next(total, Math.max(100, deadline - Date.now()))
    } catch {
      messages = inbox.messages
    }
    lost += total - messages.length
    const last = new Map<string, number>()
    for (const m of messages) {
      const [pub, seq] = m.payload.split(':')
      if ((last.get(pub as string) ?? -1) > Number(seq)) outOfOrder++
      last.set(pub as string, Number(seq))
    }
  }
  t.equal(lost, 0, 'no delivery lost')
  t.equal(outOfOrder, 0, 'per-publisher order kept')
})
