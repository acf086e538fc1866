/** One named start-up step; `stop` undoes it. */
export interface Step {
  readonly name: string
  start (): Promise<(() => Promise<void>) | undefined>
}

/**
 * Runs steps in order and remembers how to undo each one; `stop()` runs the undos in reverse,
 * once, each bounded by what is left of the deadline. A failed start undoes what had started.
 */
export class StepRunner {
  readonly #undo: Array<{ name: string, stop: () => Promise<void> }> = []
  #stopping: Promise<string[]> | null = null

  async start (steps: readonly Step[], onStep?: (name: string) => void): Promise<void> {
    for (const step of steps) {
      try {
        const stop = await step.start()
        if (stop !== undefined) this.#undo.push({ name: step.name, stop })
        onStep?.(step.name)
      } catch (err) {
        await this.stop(5000)
        throw err
      }
    }
  }

  /** Undo everything started, in reverse; resolves the names of the steps that missed the deadline or failed. */
  stop (deadlineMs: number): Promise<string[]> {
    this.#stopping ??= (async () => {
      const failed: string[] = []
      const until = Date.now() + deadlineMs
      while (this.#undo.length > 0) {
        const { name, stop } = this.#undo.pop() as { name: string, stop: () => Promise<void> }
        const left = Math.max(0, until - Date.now())
        let timer: NodeJS.Timeout | undefined
        const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), left) })
        try {
          const outcome = await Promise.race([stop().then(() => 'ok' as const), timeout])
          if (outcome === 'timeout') failed.push(`${name} (deadline)`)
        } catch (err) {
          failed.push(`${name} (${(err as Error).message})`)
        } finally {
          clearTimeout(timer)
        }
      }
      return failed
    })()
    return this.#stopping
  }
}
