import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify'
import { type Logger } from '../log/logger.js'
import { type Metrics } from '../metrics/metrics.js'
import { closeServer } from '../listeners/listen.js'
import { ListenError } from '../errors.js'

/** What the HTTP edge asks the hub. */
export interface HttpProbes {
  /** Alive: the process answers. */
  health (): { status: 'ok' }
  /** Ready: store open, listeners bound, nothing failing; reasons when not. */
  ready (): { ready: boolean, reasons: string[] }
  status (): Record<string, unknown>
  readonly metrics: Metrics
}

/** A route plugin another part adds (registration, device enrollment). */
export interface HttpPlugin { readonly plugin: FastifyPluginAsync<never>, readonly options: unknown }

/**
 * The Fastify app: `GET /health`, `/ready` (503 when not ready), `/status` (JSON), `/metrics`
 * (Prometheus text). Built separately from listening (fastify's build()/listen() split) so
 * tests can `inject` it.
 */
export async function buildHttp (probes: HttpProbes, log: Logger, plugins: readonly HttpPlugin[] = []): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({ loggerInstance: log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 65536 })
  app.setErrorHandler((err: { statusCode?: number, message: string, validation?: unknown }, request, reply) => {
    const status = err.statusCode ?? 500
    if (status >= 500) {
      request.log.error({ err }, 'HTTP request failed')
      void reply.code(status).send({ error: 'internal error' })
      return
    }
    void reply.code(status).send({ error: err.message })
  })
  app.get('/health', async () => probes.health())
  app.get('/ready', async (_request, reply) => {
    const r = probes.ready()
    return reply.code(r.ready ? 200 : 503).send(r)
  })
  app.get('/status', async () => probes.status())
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(probes.metrics.render()))
  for (const p of plugins) await app.register(p.plugin, p.options as never)
  return app
}

/** Listen on host:port; resolves the bound port. */
export async function listenHttp (app: FastifyInstance, host: string, port: number): Promise<number> {
  try {
    await app.listen({ host, port })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ListenError(code === 'EADDRINUSE' ? `HTTP port ${port} on ${host} is already in use` : `HTTP cannot listen on ${host}:${port}: ${(err as Error).message}`, { cause: err })
  }
  const address = app.server.address()
  return typeof address === 'object' && address !== null ? address.port : port
}

/** Close the HTTP server (open keep-alive connections included). */
export async function closeHttp (app: FastifyInstance): Promise<void> {
  await Promise.race([app.close(), closeServer(app.server)])
}
