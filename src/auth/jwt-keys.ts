/**
 * The key material of `auth.mode: jwt`, read once at start-up: a shared secret, a PEM public
 * key or a local JWKS file, and the algorithms pinned to it (never `none`, never HS256 with a
 * public key, which would let a token be signed with the public key as HMAC secret).
 */
import { createPublicKey, type KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { type JSONWebKeySet } from 'jose'
import { type JwtAlgorithm, type JwtSection } from '../config/sections/auth.js'
import { ConfigError } from '../errors.js'

/** The verification key of device tokens. */
export type JwtKey =
  | { readonly kind: 'secret', readonly secret: Uint8Array }
  | { readonly kind: 'public-key', readonly key: KeyObject }
  | { readonly kind: 'jwks', readonly jwks: JSONWebKeySet }

/** Key and pinned algorithms. */
export interface JwtKeyMaterial {
  readonly key: JwtKey
  readonly algorithms: readonly JwtAlgorithm[]
}

/** Shortest HS256 secret: the hash output size (RFC 7518 §3.2). */
const MIN_SECRET_BYTES = 32

function pin (allowed: readonly JwtAlgorithm[], configured: readonly JwtAlgorithm[] | null, keyName: string): readonly JwtAlgorithm[] {
  if (configured === null) return allowed
  const wrong = configured.filter((a) => !allowed.includes(a))
  if (wrong.length > 0) {
    throw new ConfigError([`auth.jwt.algorithms must be among ${allowed.join(', ')} with ${keyName} (received ${JSON.stringify(configured)})`])
  }
  return configured
}

async function readText (key: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw new ConfigError([`${key} ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`], { cause: err })
  }
}

function algorithmOf (key: KeyObject): JwtAlgorithm | null {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256'
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'RS256'
  return null
}

/**
 * Read and check the key material of `auth.jwt`. Throws a `ConfigError` naming the key when
 * none or several key sources are set, a file cannot be read or parsed, the secret is short, or
 * the algorithms do not fit the key.
 */
export async function loadJwtKeys (jwt: JwtSection): Promise<JwtKeyMaterial> {
  const sources = (['secret', 'publicKeyFile', 'jwksFile'] as const).filter((k) => jwt[k] !== null)
  if (sources.length !== 1) {
    throw new ConfigError([`auth.jwt needs exactly one of secret, publicKeyFile, jwksFile when auth.mode is "jwt" (received ${sources.length === 0 ? 'none' : sources.join(', ')})`])
  }
  if (jwt.secret !== null) {
    const secret = new TextEncoder().encode(jwt.secret)
    if (secret.length < MIN_SECRET_BYTES) throw new ConfigError([`auth.jwt.secret must be at least ${MIN_SECRET_BYTES} bytes (received ${secret.length} bytes)`])
    return { key: { kind: 'secret', secret }, algorithms: pin(['HS256'], jwt.algorithms, 'auth.jwt.secret') }
  }
  if (jwt.publicKeyFile !== null) {
    const pem = await readText('auth.jwt.publicKeyFile', jwt.publicKeyFile)
    let key: KeyObject
    try {
      key = createPublicKey(pem)
    } catch (err) {
      throw new ConfigError([`auth.jwt.publicKeyFile ${jwt.publicKeyFile} is not a PEM public key`], { cause: err })
    }
    const algorithm = algorithmOf(key)
    if (algorithm === null) throw new ConfigError([`auth.jwt.publicKeyFile ${jwt.publicKeyFile} must be a P-256 (ES256) or RSA >= 2048 bits (RS256) public key`])
    return { key: { kind: 'public-key', key }, algorithms: pin([algorithm], jwt.algorithms, `a ${algorithm} public key`) }
  }
  const file = jwt.jwksFile ?? ''
  let jwks: unknown
  try {
    jwks = JSON.parse(await readText('auth.jwt.jwksFile', file))
  } catch (err) {
    if (err instanceof ConfigError) throw err
    throw new ConfigError([`auth.jwt.jwksFile ${file} is not valid JSON`], { cause: err })
  }
  const keys = (jwks as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length === 0) throw new ConfigError([`auth.jwt.jwksFile ${file} must hold {"keys": [...]} with at least one key`])
  if (keys.some((k) => (k as { kty?: unknown } | null)?.kty === 'oct' || (k as { d?: unknown } | null)?.d !== undefined)) {
    throw new ConfigError([`auth.jwt.jwksFile ${file} must hold public keys only (no "oct" keys, no private "d")`])
  }
  return { key: { kind: 'jwks', jwks: jwks as JSONWebKeySet }, algorithms: pin(['ES256', 'RS256'], jwt.algorithms, 'auth.jwt.jwksFile') }
}
