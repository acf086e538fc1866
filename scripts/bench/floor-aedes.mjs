// The floor of the chosen stack: Aedes 1.2 on Node with its default in-memory persistence and
// TCP_NODELAY on its sockets, nothing else (no durability, no access control, no hub code).
// What this reaches is as fast as any broker built on these parts can be; the benchmark runs it
// as the target `aedes-memory`, started like the hub (same flags, same JSON "ready" line).
import { createServer } from 'node:net'
import { Aedes } from 'aedes'

const args = process.argv.slice(2)
const arg = (name, dflt) => { const i = args.indexOf(name); return i < 0 ? dflt : args[i + 1] }
const broker = await Aedes.createBroker()
const server = createServer({ noDelay: true }, broker.handle)
server.listen(Number(arg('--mqtt-port', '1883')), arg('--mqtt-host', '127.0.0.1'), () => {
  process.stdout.write(JSON.stringify({ msg: 'ready', pid: process.pid, ports: { mqtt: server.address().port, ws: null, tls: null, http: null } }) + '\n')
})
const stop = () => { server.close(); broker.close(() => process.exit(0)) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
