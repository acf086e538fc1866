/** W5 in a worker: open connections all at once, time the CONNACKs, hold them until closed. */
import { type MqttClient } from 'mqtt'
import { connectClient, endAll, nowMs } from './clients.js'
import { type ConnectResult, type ConnectTask } from './tasks.js'

export async function setupConnect (task: ConnectTask): Promise<{ start (at: number): Promise<ConnectResult>, close (): Promise<void> }> {
  const clients: MqttClient[] = []
  const start = async (at: number): Promise<ConnectResult> => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - nowMs())))
    let failed = 0
    let lastAt = at
    await Promise.all(task.clientIds.map(async (id) => {
      try {
        const c = await connectClient(task.port, id, { clean: true })
        lastAt = Math.max(lastAt, nowMs())
        clients.push(c)
      } catch {
        failed++
      }
    }))
    if (task.subscribe !== null) await Promise.all(clients.map((c) => c.subscribeAsync(task.subscribe ?? '#', { qos: 1 })))
    return { connected: clients.length, failed, ms: lastAt - at }
  }
  return { start, close: () => endAll(clients) }
}
