/**
 * A real LevelDB in the test's own directory, closed at teardown, with the `devices` sublevel the
 * hub hands to the device registry.
 */
import { join } from 'node:path'
import { type Test } from 'tap'
import { Level } from 'level'
import { type Db, type Sublevel } from '../../src/store/types.js'

const dirs = new WeakMap<Test, string>()
let opened = 0

/** The test's own directory, created once per test (`t.testdir()` empties it on every call). */
export function testDir (t: Test): string {
  let dir = dirs.get(t)
  if (dir === undefined) {
    dir = t.testdir()
    dirs.set(t, dir)
  }
  return dir
}

/** Open a fresh LevelDB (a new folder under the test's directory on every call) and return it with its `devices` sublevel. */
export async function openDevicesDb (t: Test): Promise<{ db: Db, devices: Sublevel }> {
  const db = new Level<string, Buffer>(join(testDir(t), `db-${++opened}`), { valueEncoding: 'buffer' }) as unknown as Db
  await db.open()
  t.teardown(() => db.close())
  const devices = db.sublevel<string, Buffer>('devices', { valueEncoding: 'buffer' }) as unknown as Sublevel
  return { db, devices }
}
