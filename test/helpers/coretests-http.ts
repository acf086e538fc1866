/** Reading the hub's HTTP endpoints as a monitoring system would: real requests to 127.0.0.1. */

/** GET a path; the status, content type and body text. */
export async function get (port: number, path: string): Promise<{ status: number, type: string, text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) })
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
}

/** GET a path and parse its JSON body. */
export async function getJson<T = Record<string, unknown>> (port: number, path: string): Promise<{ status: number, body: T }> {
  const r = await get(port, path)
  return { status: r.status, body: JSON.parse(r.text) as T }
}

/** One sample of the Prometheus text exposition format. */
export interface Sample { name: string, labels: Record<string, string>, value: number }

/** Parse Prometheus text (format 0.0.4): samples, and the declared type of each family. */
export function parseMetrics (text: string): { samples: Sample[], types: Map<string, string> } {
  const samples: Sample[] = []
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const typeLine = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (typeLine !== null) {
      types.set(typeLine[1] as string, typeLine[2] as string)
      continue
    }
    if (line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m === null) throw new Error(`not a Prometheus sample line: ${JSON.stringify(line)}`)
    const labels: Record<string, string> = {}
    for (const pair of (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
      const eq = pair.indexOf('=')
      labels[pair.slice(0, eq)] = pair.slice(eq + 2, -1)
    }
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) })
  }
  return { samples, types }
}

/** The value of one sample (labels must match exactly), or undefined when absent. */
export function sample (samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort())
  return samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.value
}

/** GET /metrics and parse it. */
export async function metrics (port: number): Promise<{ samples: Sample[], types: Map<string, string>, type: string }> {
  const r = await get(port, '/metrics')
  return { ...parseMetrics(r.text), type: r.type }
}
