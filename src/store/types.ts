import { type AbstractLevel, type AbstractSublevel } from 'abstract-level'

/** The hub's one LevelDB: string keys, Buffer values. */
export type Db = AbstractLevel<string | Buffer | Uint8Array, string, Buffer>

/** A namespace of the hub's LevelDB owned by one part (sessions, devices, bridge outbox, …). */
export type Sublevel = AbstractSublevel<Db, string | Buffer | Uint8Array, string, Buffer>

/** One write of an atomic batch, on the sublevel that owns the key. */
export type StoreOperation =
  | { readonly type: 'put', readonly sublevel: Sublevel, readonly key: string, readonly value: Buffer }
  | { readonly type: 'del', readonly sublevel: Sublevel, readonly key: string }
