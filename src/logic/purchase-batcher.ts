/** How far the batcher may go in gathering purchases of one event into one transaction. */
export interface BatchLimits {
  /** Most purchases in one transaction: a bigger batch holds the event's row lock longer. */
  maxBatch: number;
  /**
   * Batches of one event in flight at once. Two: while one commits, the next is already at
   * the database waiting for the event's row lock, so the lock never sits idle between them.
   */
  maxInFlight: number;
  /**
   * A purchase queued this long (its event's batches are stuck, e.g. a slow commit) leaves the
   * queue and goes to the database alone, as it would without batching — well inside the
   * frontend's 2 s per attempt, so a stuck batch does not make every waiting buyer time out.
   */
  maxWaitMs: number;
}

export const BATCH_LIMITS: Readonly<BatchLimits> = Object.freeze({
  maxBatch: 64,
  maxInFlight: 2,
  maxWaitMs: 500,
});

/** The work a batcher schedules: one transaction for many, or one item by itself. */
export interface BatchWork<T, R> {
  /** One transaction for the items of one group, in arrival order; one result per item. */
  together(group: string, items: readonly T[]): Promise<PromiseSettledResult<R>[]>;
  /** One item on its own: a batch of one, an overdue item, or a failed batch one by one. */
  alone(item: T): Promise<R>;
  /** Whether a batch that failed as a whole is worth trying again one item at a time. */
  retryAlone(error: unknown): boolean;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
  timer?: NodeJS.Timeout | undefined;
}

interface Group<T, R> {
  waiting: Waiting<T, R>[];
  inFlight: number;
}

/**
 * Gathers concurrent purchases of the same event: a purchase goes at once while fewer than
 * `maxInFlight` (two) batches of its event are in flight; those that arrive while that many
 * are in flight wait, and leave together, in arrival order, as the next batch when one ends.
 * Under light load nothing waits; under a flash sale one commit serves many buyers instead of
 * one.
 */
export class PurchaseBatcher<T, R> {
  readonly #groups = new Map<string, Group<T, R>>();
  readonly #work: BatchWork<T, R>;
  readonly #limits: Readonly<BatchLimits>;

  constructor(work: BatchWork<T, R>, limits: Readonly<BatchLimits> = BATCH_LIMITS) {
    this.#work = work;
    this.#limits = limits;
  }

  submit(groupKey: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const group = this.#groupOf(groupKey);
      const entry: Waiting<T, R> = { item, resolve, reject };
      group.waiting.push(entry);
      this.#dispatch(groupKey, group);
      if (group.waiting.includes(entry)) {
        entry.timer = setTimeout(() => this.#overdue(group, entry), this.#limits.maxWaitMs);
      }
    });
  }

  #groupOf(key: string): Group<T, R> {
    let group = this.#groups.get(key);
    if (!group) {
      group = { waiting: [], inFlight: 0 };
      this.#groups.set(key, group);
    }
    return group;
  }

  /** Starts batches while the group has room in flight and purchases waiting. */
  #dispatch(key: string, group: Group<T, R>): void {
    while (group.inFlight < this.#limits.maxInFlight && group.waiting.length > 0) {
      const batch = group.waiting.splice(0, this.#limits.maxBatch);
      for (const entry of batch) clearTimeout(entry.timer);
      group.inFlight++;
      void this.#run(key, batch).finally(() => {
        group.inFlight--;
        this.#dispatch(key, group);
        if (group.inFlight === 0 && group.waiting.length === 0) this.#groups.delete(key);
      });
    }
  }

  #overdue(group: Group<T, R>, entry: Waiting<T, R>): void {
    const at = group.waiting.indexOf(entry);
    if (at < 0) return;
    group.waiting.splice(at, 1);
    void settle(entry, () => this.#work.alone(entry.item));
  }

  async #run(key: string, batch: Waiting<T, R>[]): Promise<void> {
    const [only] = batch;
    if (batch.length === 1 && only) return settle(only, () => this.#work.alone(only.item));
    let results: PromiseSettledResult<R>[];
    try {
      results = await this.#work.together(
        key,
        batch.map((entry) => entry.item),
      );
    } catch (error) {
      if (!this.#work.retryAlone(error)) {
        for (const entry of batch) entry.reject(error);
        return;
      }
      // One by one, in arrival order: whoever could be served is, and what failed the batch
      // fails only the purchase it belongs to.
      for (const entry of batch) await settle(entry, () => this.#work.alone(entry.item));
      return;
    }
    for (const [i, entry] of batch.entries()) {
      const result = results[i];
      if (result?.status === 'fulfilled') entry.resolve(result.value);
      else entry.reject(result ? result.reason : new Error('a batch gave no result for an item'));
    }
  }
}

async function settle<T, R>(entry: Waiting<T, R>, run: () => Promise<R>): Promise<void> {
  try {
    entry.resolve(await run());
  } catch (error) {
    entry.reject(error);
  }
}
