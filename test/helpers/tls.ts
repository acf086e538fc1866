/**
 * Test certificates made with the openssl CLI (Debian package `openssl`): a CA and a server
 * certificate for 127.0.0.1 / localhost signed by it. Keys are EC P-256 so generation is fast.
 */
import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Paths of the PEM files of one test PKI. */
export interface TestPki {
  /** CA certificate: what the bridge must trust. */
  readonly ca: string
  /** Server certificate (SAN IP:127.0.0.1, DNS:localhost) and its key. */
  readonly cert: string
  readonly key: string
}

async function openssl (args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd, timeout: 30_000 })
}

/** Generate a CA and a server certificate in `dir/name`. */
export async function makePki (dir: string, name = 'pki'): Promise<TestPki> {
  const at = join(dir, name)
  await mkdir(at, { recursive: true })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=mango test ca ${name}`], at)
  await openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], at)
  await writeFile(join(at, 'server.ext'), [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    'basicConstraints=CA:FALSE',
    'keyUsage=digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    ''
  ].join('\n'))
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext'], at)
  return { ca: join(at, 'ca.crt'), cert: join(at, 'server.crt'), key: join(at, 'server.key') }
}
