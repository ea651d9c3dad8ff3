/**
 * Counts the flows in progress (each waits for a device or a person), so that a handler can
 * refuse a new one past `max` (`ERR_BUSY`).
 */
export class InProgress {
  #count = 0;

  constructor(readonly max: number) {}

  get full(): boolean {
    return this.#count >= this.max;
  }

  /** Runs `flow`, counted from now until it settles. */
  async run(flow: () => Promise<void>): Promise<void> {
    this.#count++;
    try {
      await flow();
    } finally {
      this.#count--;
    }
  }
}
