/**
 * A small disk of the test's own: a tmpfs of a few MiB mounted on a directory of `t.testdir()`,
 * which can be filled to the last byte (ENOSPC), remounted read-only and back, without touching
 * the shared disk. Mounting needs root with CAP_SYS_ADMIN; where that is missing
 * {@link canMount} says so and the test is skipped with the reason.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, statfsSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Test } from 'tap'

/** Why a tmpfs cannot be mounted here, or null when it can. */
export function canMount (): string | null {
  if (process.platform !== 'linux') return 'tmpfs mounts need Linux'
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root'
  const probe = mkdtempSync(join(tmpdir(), 'mango-faults-mount-'))
  try {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { encoding: 'utf8' })
    if (r.status !== 0) return `mount -t tmpfs is not allowed here: ${(r.stderr ?? '').trim() || String(r.error)}`
    spawnSync('umount', [probe])
    return null
  } finally {
    rmdirSync(probe)
  }
}

export interface SmallDisk {
  /** The mount point. */
  readonly dir: string
  /** Bytes still free. */
  free (): number
  /** Take all free space with a filler file (ENOSPC for the next write that needs a new page). */
  fill (): void
  /** Delete the filler. */
  unfill (): void
  /** `mount -o remount,ro`; fails (EBUSY) while a process holds a file open for writing. */
  remountReadOnly (): boolean
  remountReadWrite (): void
}

/**
 * Mount a tmpfs of `bytes` on a new directory under the system temp dir (not under tap's
 * fixtures, which tap removes before a test: a mount left by a killed run would stop that);
 * unmounted (lazily: the hub may still be exiting) and removed at teardown.
 */
export function smallDisk (t: Test, bytes: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'mango-faults-disk-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir])
  t.teardown(() => {
    spawnSync('umount', ['-l', dir])
    rmSync(dir, { recursive: true, force: true })
  })
  const filler = join(dir, 'filler')
  const free = (): number => {
    const s = statfsSync(dir)
    return s.bavail * s.bsize
  }
  return {
    dir,
    free,
    fill () {
      const fd = openSync(filler, 'a')
      try {
        const chunk = Buffer.alloc(64 * 1024)
        // bounded: at most the mount's size in chunks
        for (let i = 0; i <= bytes / chunk.length + 1; i++) {
          const left = free()
          if (left === 0) return
          try {
            writeSync(fd, chunk, 0, Math.min(chunk.length, left))
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return
            throw err
          }
        }
      } finally {
        closeSync(fd)
      }
    },
    unfill () { rmSync(filler, { force: true }) },
    remountReadOnly () { return spawnSync('mount', ['-o', 'remount,ro', dir]).status === 0 },
    remountReadWrite () { execFileSync('mount', ['-o', 'remount,rw', dir]) }
  }
}
