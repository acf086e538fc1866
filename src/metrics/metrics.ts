/**
 * A minimal Prometheus registry: counters and gauges with labels, rendered in the text
 * exposition format 0.0.4. Pure: it only counts; the HTTP layer serves `render()`.
 */
export type Labels = Readonly<Record<string, string>>

interface Family {
  readonly name: string
  readonly help: string
  readonly type: 'counter' | 'gauge'
  readonly values: Map<string, { labels: Labels, value: number }>
  collect?: () => Iterable<{ labels?: Labels, value: number }>
}

function labelKey (labels: Labels): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',')
}

function escapeLabel (v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function renderLabels (labels: Labels): string {
  const keys = Object.keys(labels)
  if (keys.length === 0) return ''
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k] ?? '')}"`).join(',')}}`
}

/** A monotonically increasing count. */
export interface Counter { inc (labels?: Labels, by?: number): void, get (labels?: Labels): number, total (): number }
/** A value that goes up and down. */
export interface Gauge { set (value: number, labels?: Labels): void, get (labels?: Labels): number }

/** Holds every metric family of one hub. */
export class Metrics {
  readonly #families = new Map<string, Family>()

  #family (name: string, help: string, type: 'counter' | 'gauge'): Family {
    let family = this.#families.get(name)
    if (family === undefined) {
      family = { name, help, type, values: new Map() }
      this.#families.set(name, family)
    }
    return family
  }

  /** Register (or fetch) a counter. */
  counter (name: string, help: string): Counter {
    const family = this.#family(name, help, 'counter')
    return {
      inc (labels: Labels = {}, by = 1) {
        const key = labelKey(labels)
        const entry = family.values.get(key)
        if (entry === undefined) family.values.set(key, { labels, value: by })
        else entry.value += by
      },
      get (labels: Labels = {}) { return family.values.get(labelKey(labels))?.value ?? 0 },
      total () {
        let n = 0
        for (const v of family.values.values()) n += v.value
        return n
      }
    }
  }

  /** Register (or fetch) a gauge. */
  gauge (name: string, help: string): Gauge {
    const family = this.#family(name, help, 'gauge')
    return {
      set (value: number, labels: Labels = {}) { family.values.set(labelKey(labels), { labels, value }) },
      get (labels: Labels = {}) { return family.values.get(labelKey(labels))?.value ?? 0 }
    }
  }

  /** Register a gauge whose values are read when the metrics are rendered. */
  collected (name: string, help: string, collect: () => Iterable<{ labels?: Labels, value: number }>): void {
    const family = this.#family(name, help, 'gauge')
    family.collect = collect
  }

  /** The Prometheus text exposition of every family. */
  render (): string {
    const lines: string[] = []
    for (const family of this.#families.values()) {
      lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`)
      const samples = family.collect !== undefined ? [...family.collect()] : [...family.values.values()]
      for (const sample of samples) {
        lines.push(`${family.name}${renderLabels(sample.labels ?? {})} ${sample.value}`)
      }
    }
    return lines.join('\n') + '\n'
  }
}
