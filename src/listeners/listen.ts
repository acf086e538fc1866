import { type Server } from 'node:net'
import { ListenError } from '../errors.js'

/** Listen and resolve the bound port, or reject with a one-line reason (port in use, no permission). */
export function listen (server: Server, host: string, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.removeListener('listening', onListening)
      const reason = err.code === 'EADDRINUSE'
        ? `${what} port ${port} on ${host} is already in use (another broker running?)`
        : err.code === 'EACCES'
          ? `${what} port ${port} on ${host} needs privileges this user does not have`
          : err.code === 'EADDRNOTAVAIL'
            ? `${what} address ${host} is not an address of this machine`
            : `${what} cannot listen on ${host}:${port}: ${err.message}`
      reject(new ListenError(reason, { cause: err }))
    }
    const onListening = (): void => {
      server.removeListener('error', onError)
      const address = server.address()
      resolve(typeof address === 'object' && address !== null ? address.port : port)
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

/** Close a server and every connection it still holds. */
export function closeServer (server: Server & { closeAllConnections?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve()
      return
    }
    server.close(() => resolve())
    server.closeAllConnections?.()
  })
}
