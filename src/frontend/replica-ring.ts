/**
 * Spreads calls over the logic replicas round-robin. In Kubernetes there is one Service URL
 * and this is a no-op; locally LOGIC_URL lists each replica.
 */
export class ReplicaRing {
  readonly #urls: readonly string[];
  #next = 0;

  constructor(urls: readonly string[]) {
    if (urls.length === 0) throw new Error('ReplicaRing needs at least one URL');
    this.#urls = urls;
  }

  get size(): number {
    return this.#urls.length;
  }

  /** The next replica in turn, skipping `avoid` (the one a retry just failed on) if possible. */
  pick(avoid?: string): string {
    for (let tries = 0; tries < this.#urls.length; tries++) {
      const url = this.#urls[this.#next % this.#urls.length] as string;
      this.#next = (this.#next + 1) % this.#urls.length;
      if (url !== avoid || this.#urls.length === 1) return url;
    }
    return this.#urls[0] as string;
  }
}
