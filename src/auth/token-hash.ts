/**
 * Device tokens: 32 random bytes in base64url, stored only as a salted scrypt hash
 * (`scrypt$N$r$p$salt$hash`, salt and hash in base64url) and compared in constant time.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/** Random bytes of a device token (256 bits). */
export const TOKEN_BYTES = 32

/** scrypt cost: N = 2^14, r = 8, p = 1 (16 MiB, tens of milliseconds), a 16-byte salt and a 32-byte hash. */
const PARAMS = { N: 16384, r: 8, p: 1 } as const
const SALT_BYTES = 16
const HASH_BYTES = 32

/** A new device token: 32 random bytes, base64url (43 characters). */
export function generateToken (): string {
  return randomBytes(TOKEN_BYTES).toString('base64url')
}

function derive (token: string, salt: Buffer, params: ScryptOptions & { N: number, r: number, p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const maxmem = 256 * params.N * params.r
    scrypt(token, salt, HASH_BYTES, { ...params, maxmem }, (err, key) => {
      if (err === null) resolve(key)
      else reject(err)
    })
  })
}

/** Hash a token with a fresh salt; the result never contains the token. */
export async function hashToken (token: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const hash = await derive(token, salt, PARAMS)
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), hash.toString('base64url')].join('$')
}

interface ParsedHash { N: number, r: number, p: number, salt: Buffer, hash: Buffer }

function parseHash (stored: string): ParsedHash | null {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return null
  const params = { N: Number(n), r: Number(r), p: Number(p) }
  if (![params.N, params.r, params.p].every((v) => Number.isSafeInteger(v) && v > 0)) return null
  // A damaged record must not make the hub allocate gigabytes.
  if (params.N > 1048576 || params.r > 32 || params.p > 16) return null
  return { ...params, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') }
}

/** The stored hash a failed lookup is checked against, so an unknown device costs as much as a known one. */
const DUMMY_HASH = `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${Buffer.alloc(SALT_BYTES).toString('base64url')}$${Buffer.alloc(HASH_BYTES).toString('base64url')}`

/**
 * Does `token` match the stored hash? Constant-time comparison; a malformed stored hash never
 * matches. With `stored` null the work is done against a dummy hash and the result is false.
 */
export async function verifyToken (token: string, stored: string | null): Promise<boolean> {
  const parsed = parseHash(stored ?? DUMMY_HASH)
  if (parsed === null) return false
  const derived = await derive(token, parsed.salt, parsed)
  return stored !== null && derived.length === parsed.hash.length && timingSafeEqual(derived, parsed.hash)
}

/** A SHA-256 digest of a token, kept in memory only to recognise a token already verified. */
export function tokenDigest (token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}
