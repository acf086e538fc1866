import { readFileSync } from 'node:fs'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createNetServer, type Server, type Socket } from 'node:net'
import { type Duplex } from 'node:stream'
import { createServer as createTlsServer } from 'node:tls'
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws'
import { type HubConfig } from '../config/schema.js'
import { ListenError } from '../errors.js'
import { type Logger } from '../log/logger.js'
import { CONNACK_SERVER_UNAVAILABLE, ConnectionGate } from './connection-gate.js'
import { closeServer, listen } from './listen.js'

/** Bound ports; null where a listener is off. */
export interface MqttPorts { mqtt: number, ws: number | null, tls: number | null }

export interface MqttListeners {
  readonly ports: MqttPorts
  readonly gate: ConnectionGate
  /** Stop accepting new connections (existing ones stay until the broker closes them). */
  stopAccepting (): Promise<void>
}

type Handle = (stream: Duplex, req?: unknown) => void

function readPem (file: string, key: string): Buffer {
  try {
    return readFileSync(file)
  } catch (err) {
    throw new ListenError(`${key} ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err })
  }
}

/**
 * The MQTT listeners: TCP, WebSocket (the `ws` library: websocket-stream pulled ws 3.x, which
 * one upgrade with 2,000 headers crashes, CVE-2024-37890) and TLS when configured. All share one
 * connection gate; a connection over `limits.maxConnections` gets CONNACK 0x03 and is closed.
 */
export async function startMqttListeners (config: HubConfig, handle: Handle, log: Logger, onRefused: () => void): Promise<MqttListeners> {
  const gate = new ConnectionGate(config.limits.maxConnections)
  const servers: Array<Server | HttpServer> = []

  const admit = (socket: Socket | Duplex, refuse: () => void): boolean => {
    if (gate.tryOpen()) {
      let released = false
      const release = (): void => { if (!released) { released = true; gate.release() } }
      socket.once('close', release)
      return true
    }
    onRefused()
    log.warn({ maxConnections: config.limits.maxConnections }, 'connection refused: limits.maxConnections reached (CONNACK 0x03)')
    refuse()
    return false
  }

  const onSocket = (socket: Socket): void => {
    socket.setNoDelay(true)
    if (admit(socket, () => { socket.end(CONNACK_SERVER_UNAVAILABLE); socket.setTimeout(1000, () => socket.destroy()) })) handle(socket)
  }

  try {
    const tcp = createNetServer(onSocket)
    servers.push(tcp)
    const mqtt = await listen(tcp, config.mqtt.host, config.mqtt.port, 'MQTT')

    let ws: number | null = null
    if (config.ws.port !== null && config.ws.port !== 0) {
      const http = createHttpServer({ maxHeaderSize: 16384, requestTimeout: 10000, headersTimeout: 10000 })
      servers.push(http)
      http.on('request', (_req, res) => { res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: upgrade required\n') })
      const wss = new WebSocketServer({
        server: http,
        path: config.ws.path,
        maxPayload: config.limits.maxPacketSize + 8,
        handleProtocols: (protocols) => protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false
      })
      wss.on('connection', (socket: WebSocket, req) => {
        const stream = createWebSocketStream(socket)
        stream.on('error', () => { socket.terminate() })
        ;(stream as Duplex & { remoteAddress?: string | undefined }).remoteAddress = req.socket.remoteAddress
        if (admit(stream, () => { socket.send(CONNACK_SERVER_UNAVAILABLE, () => socket.close()) })) handle(stream, req)
      })
      wss.on('error', (err) => { log.warn({ err: err.message }, 'WebSocket server error') })
      ws = await listen(http as unknown as Server, config.ws.host, config.ws.port, 'WebSocket')
    }

    let tls: number | null = null
    if (config.tls.cert !== null && config.tls.key !== null) {
      const server = createTlsServer({ cert: readPem(config.tls.cert, 'tls.cert'), key: readPem(config.tls.key, 'tls.key') }, onSocket)
      server.on('tlsClientError', (err) => { log.info({ err: err.message }, 'TLS handshake failed') })
      servers.push(server)
      tls = await listen(server, config.tls.host, config.tls.port, 'MQTT over TLS')
    }

    return {
      ports: { mqtt, ws, tls },
      gate,
      // Only stop accepting: a server's close callback waits for its open connections, which the
      // broker closes in the next shutdown step, so awaiting it here ran into the shutdown deadline.
      stopAccepting: async () => { for (const s of servers) if (s.listening) s.close() }
    }
  } catch (err) {
    await Promise.all(servers.map((s) => closeServer(s as Server)))
    throw err
  }
}
