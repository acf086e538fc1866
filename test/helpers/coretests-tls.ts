/** A self-signed certificate for 127.0.0.1 made with the openssl CLI (Debian package `openssl`) in a test directory. */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** PEM paths: the certificate doubles as the CA a client must trust. */
export interface SelfSigned { readonly cert: string, readonly key: string }

/** Generate an EC P-256 self-signed certificate with SAN IP:127.0.0.1 and DNS:localhost in `dir`. */
export async function selfSigned (dir: string): Promise<SelfSigned> {
  const cert = join(dir, 'hub.crt')
  const key = join(dir, 'hub.key')
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=mango hub test',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { timeout: 30_000 })
  return { cert, key }
}
