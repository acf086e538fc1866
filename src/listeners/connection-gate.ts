/** CONNACK with return code 0x03 "server unavailable", sent to a connection over the limit. */
export const CONNACK_SERVER_UNAVAILABLE = Buffer.from([0x20, 0x02, 0x00, 0x03])

/** Counts open connections over all listeners against `limits.maxConnections`. Pure. */
export class ConnectionGate {
  readonly #max: number
  #open = 0

  constructor (max: number) {
    this.#max = max
  }

  get open (): number { return this.#open }

  /** Take a slot; false when the hub is full. The caller must `release()` once the connection ends. */
  tryOpen (): boolean {
    if (this.#open >= this.#max) return false
    this.#open++
    return true
  }

  release (): void {
    if (this.#open > 0) this.#open--
  }
}
