// A small real HTTP proxy that makes a PostgREST server look like a Supabase project to supabase-js
// (it maps the /rest/v1 prefix away), and that a test can switch to answer errors, hang, reset, or go down.
import { EventEmitter } from 'node:events'
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { type Socket } from 'node:net'

/** What the proxy does with the next requests. */
export type ProxyMode =
  | { readonly kind: 'pass' }
  | { readonly kind: 'status', readonly status: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset' }

/** One request seen by the proxy, after it was answered (status 0: reset or hung up). */
export interface ProxiedRequest {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly prefer: string | undefined
  readonly authorization: boolean
}

const PREFIX = '/rest/v1'

/** See the module comment. */
export class SupabaseProxy extends EventEmitter {
  readonly #target: URL
  readonly #sockets = new Set<Socket>()
  #server: Server | null = null
  #port = 0
  mode: ProxyMode = { kind: 'pass' }
  readonly requests: ProxiedRequest[] = []

  constructor (postgrestUrl: string) {
    super()
    this.#target = new URL(postgrestUrl)
  }

  /** The base URL to give supabase-js (`createClient(url, key)`). */
  get url (): string {
    return `http://127.0.0.1:${this.#port}`
  }

  /** Start listening: on a free port the first time, then on the same port again. */
  async listen (): Promise<void> {
    const server = createServer((req, res) => this.#handle(req, res))
    server.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.once('close', () => this.#sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    const address = server.address()
    if (typeof address === 'object' && address !== null) this.#port = address.port
    this.#server = server
  }

  /** Stop listening and drop every connection: the project is down (connection refused). */
  async down (): Promise<void> {
    const server = this.#server
    this.#server = null
    if (server === null) return
    for (const socket of this.#sockets) socket.destroy()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  #record (req: IncomingMessage, status: number): void {
    const entry: ProxiedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      status,
      prefer: typeof req.headers.prefer === 'string' ? req.headers.prefer : undefined,
      authorization: typeof req.headers.authorization === 'string'
    }
    this.requests.push(entry)
    this.emit('request', entry)
  }

  #handle (req: IncomingMessage, res: ServerResponse): void {
    const mode = this.mode
    if (mode.kind === 'reset') {
      this.#record(req, 0)
      req.socket.destroy()
      return
    }
    if (mode.kind === 'hang') {
      this.#record(req, 0)
      req.resume()
      return
    }
    if (mode.kind === 'status') {
      req.resume()
      req.once('end', () => {
        const body = mode.status === 401
          ? { code: 'PGRST301', details: null, hint: null, message: 'JWSError JWSInvalidSignature' }
          : { code: 'XX000', details: null, hint: null, message: 'upstream failure' }
        res.writeHead(mode.status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
        this.#record(req, mode.status)
      })
      return
    }
    const url = req.url ?? '/'
    if (!url.startsWith(`${PREFIX}/`) && url !== PREFIX) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"message":"not a PostgREST path"}')
      this.#record(req, 404)
      return
    }
    const headers = { ...req.headers }
    delete headers.host
    const upstream = request({
      host: this.#target.hostname,
      port: this.#target.port,
      method: req.method,
      path: url.slice(PREFIX.length) === '' ? '/' : url.slice(PREFIX.length),
      headers
    }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
      up.once('end', () => this.#record(req, up.statusCode ?? 502))
    })
    upstream.once('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' })
      res.end('{"message":"bad gateway"}')
      this.#record(req, 502)
    })
    req.pipe(upstream)
  }

  /** Resolve with the first request (seen from now on) for which `match` is true; reject after `timeoutMs`. */
  async next (match: (r: ProxiedRequest) => boolean, timeoutMs = 10_000): Promise<ProxiedRequest> {
    return await new Promise((resolve, reject) => {
      const onRequest = (r: ProxiedRequest): void => {
        if (!match(r)) return
        clearTimeout(timer)
        this.off('request', onRequest)
        resolve(r)
      }
      const timer = setTimeout(() => {
        this.off('request', onRequest)
        reject(new Error(`no matching request through the proxy within ${timeoutMs} ms`))
      }, timeoutMs)
      this.on('request', onRequest)
    })
  }
}
