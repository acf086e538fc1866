/**
 * A real LevelDB in the test's own directory, closed at teardown, with the `devices` sublevel the
 * hub hands to the device registry.
 */
import { type Test } from 'tap'
import { Level } from 'level'
import { type Db, type Sublevel } from '../../src/store/types.js'

/** Open a fresh LevelDB in `t.testdir()` and return it with its `devices` sublevel. */
export async function openDevicesDb (t: Test): Promise<{ db: Db, devices: Sublevel }> {
  const db = new Level<string, Buffer>(t.testdir(), { valueEncoding: 'buffer' }) as unknown as Db
  await db.open()
  t.teardown(() => db.close())
  const devices = db.sublevel<string, Buffer>('devices', { valueEncoding: 'buffer' }) as unknown as Sublevel
  return { db, devices }
}
