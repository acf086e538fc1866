/** Summarise a V8 `.cpuprofile` (node --cpu-prof): where the time went, by function and by part. Pure. */

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string, readonly url: string, readonly lineNumber: number }
  readonly hitCount?: number
  readonly children?: readonly number[]
}
export interface CpuProfile { readonly nodes: readonly ProfileNode[], readonly startTime: number, readonly endTime: number, readonly samples?: readonly number[], readonly timeDeltas?: readonly number[] }

/**
 * Keep only the samples taken between `fromUs` and `toUs` (V8's monotonic clock, the one
 * `process.hrtime` reads on Linux): the load, without start-up and shutdown.
 */
export function sliceProfile (profile: CpuProfile, fromUs: number, toUs: number): CpuProfile {
  const { samples, timeDeltas } = profile
  if (samples === undefined || timeDeltas === undefined) return profile
  const hits = new Map<number, number>()
  let t = profile.startTime
  let first = Infinity
  let last = -Infinity
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i] ?? 0
    if (t < fromUs || t > toUs) continue
    first = Math.min(first, t)
    last = Math.max(last, t)
    const id = samples[i] as number
    hits.set(id, (hits.get(id) ?? 0) + 1)
  }
  if (first === Infinity) return profile
  return { ...profile, startTime: first, endTime: last, nodes: profile.nodes.map((n) => ({ ...n, hitCount: hits.get(n.id) ?? 0 })) }
}

/** One line of the summary: a function (or a part) and its share of the sampled time. */
export interface Frame { readonly name: string, readonly selfMs: number, readonly selfPct: number, readonly totalMs: number, readonly totalPct: number }

/** Where a frame's code lives: a package, a hub source file, Node itself, or V8 (GC, idle, native). */
export function partOf (url: string, functionName: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (pkg !== null) return pkg[1] as string
  const hub = /\/dist\/(.+)\.js$/.exec(url)
  if (hub !== null) return `hub:${hub[1] as string}`
  if (url.startsWith('node:')) return 'node internals'
  if (url === '') return `(${functionName.replace(/[()]/g, '') || 'native'})`
  return url.replace(/^file:\/\/.*\//, '')
}

function shortName (node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame
  const file = url === '' ? '' : ` ${url.replace(/^file:\/\/.*\/(node_modules\/|dist\/)/, '$1').replace(/^file:\/\//, '')}:${lineNumber + 1}`
  return `${functionName === '' ? '(anonymous)' : functionName}${file}`
}

/** Self and inclusive time per function and per part, heaviest first. */
export function summarizeProfile (profile: CpuProfile, top = 25): { sampledMs: number, idlePct: number, functions: Frame[], parts: Frame[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const totalHits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0)
  const sampledMs = (profile.endTime - profile.startTime) / 1000
  const msPerHit = totalHits === 0 ? 0 : sampledMs / totalHits
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  const partSelf = new Map<string, number>()
  const partTotal = new Map<string, number>()
  const add = (m: Map<string, number>, k: string, v: number): void => { m.set(k, (m.get(k) ?? 0) + v) }
  // inclusive hits of each node's subtree
  const inclusive = new Map<number, number>()
  const sumOf = (id: number): number => {
    const known = inclusive.get(id)
    if (known !== undefined) return known
    const n = byId.get(id)
    let s = n?.hitCount ?? 0
    for (const c of n?.children ?? []) s += sumOf(c)
    inclusive.set(id, s)
    return s
  }
  const root = profile.nodes[0]
  // walk the tree; a function or part already on the stack is not counted again (recursion)
  const walk = (id: number, names: Set<string>, parts: Set<string>): void => {
    const n = byId.get(id)
    if (n === undefined) return
    const name = shortName(n)
    const part = partOf(n.callFrame.url, n.callFrame.functionName)
    add(self, name, n.hitCount ?? 0)
    add(partSelf, part, n.hitCount ?? 0)
    const newName = !names.has(name)
    const newPart = !parts.has(part)
    if (newName) { add(total, name, sumOf(id)); names.add(name) }
    if (newPart) { add(partTotal, part, sumOf(id)); parts.add(part) }
    for (const c of n.children ?? []) walk(c, names, parts)
    if (newName) names.delete(name)
    if (newPart) parts.delete(part)
  }
  for (const c of root?.children ?? []) walk(c, new Set(), new Set())
  const frames = (selfMap: Map<string, number>, totalMap: Map<string, number>, limit: number): Frame[] => [...selfMap.entries()]
    .map(([name, hits]) => ({ name, selfMs: hits * msPerHit, selfPct: totalHits === 0 ? 0 : (hits / totalHits) * 100, totalMs: (totalMap.get(name) ?? 0) * msPerHit, totalPct: totalHits === 0 ? 0 : ((totalMap.get(name) ?? 0) / totalHits) * 100 }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, limit)
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((s, n) => s + (n.hitCount ?? 0), 0)
  return { sampledMs, idlePct: totalHits === 0 ? 0 : (idle / totalHits) * 100, functions: frames(self, total, top), parts: frames(partSelf, partTotal, 30) }
}
