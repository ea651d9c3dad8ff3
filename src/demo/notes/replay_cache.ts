/**
 * Invocation ids seen and not yet expired (UCAN 1.0 invocation: replay prevention is required).
 * Bounded: when full, ids past their expiry are swept, and if it is still full the new
 * invocation is refused (`remember` returns false) rather than forgetting a live id.
 */
export class ReplayCache {
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly nowSeconds: () => number,
  ) {}

  remember = (id: string, expiresAt: number): boolean => {
    if (this.#seen.has(id)) return false;
    if (this.#seen.size >= this.max) this.sweep();
    if (this.#seen.size >= this.max) return false;
    this.#seen.set(id, expiresAt);
    return true;
  };

  sweep(): void {
    const now = this.nowSeconds();
    for (const [id, expiresAt] of this.#seen) if (expiresAt < now) this.#seen.delete(id);
  }
}
