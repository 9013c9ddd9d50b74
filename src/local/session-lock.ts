/**
 * Who may talk to the one PGlite session right now. A connection holds it for a whole batch of
 * messages (up to Sync or a simple Query) and for as long as the session stays in a
 * transaction it opened.
 */
export class SessionLock {
  #owner: object | undefined;
  readonly #waiting: { who: object; grant: () => void }[] = [];

  get owner(): object | undefined {
    return this.#owner;
  }

  /** How many connections wait for the session now (behind an open transaction). */
  get waiting(): number {
    return this.#waiting.length;
  }

  async acquire(who: object): Promise<void> {
    if (this.#owner === who) return;
    if (this.#owner === undefined) {
      this.#owner = who;
      return;
    }
    await new Promise<void>((grant) => this.#waiting.push({ who, grant }));
  }

  release(who: object): void {
    if (this.#owner !== who) return;
    const next = this.#waiting.shift();
    this.#owner = next?.who;
    next?.grant();
  }

  /** Drops a connection that went away, whether it held the lock or was still waiting. */
  forget(who: object): void {
    const index = this.#waiting.findIndex((w) => w.who === who);
    if (index >= 0) this.#waiting.splice(index, 1);
    this.release(who);
  }
}
