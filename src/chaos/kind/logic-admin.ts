import { waitFor } from '../../kube/index.ts';
import type { Audit, FaultCounts, FaultSettings, NewEvent } from '../../shared/admin-api.ts';
import { AdminClient } from '../../shared/admin-client.ts';
import { addFaultCounts, type ReplicaIdentity, zeroFaultCounts } from '../core/model.ts';
import { createStockEvents } from '../stock.ts';
import { readIdentity } from '../targets/observe.ts';
import type { Cluster } from './cluster.ts';

export const LOGIC = 'app=flame-logic';
const LOGIC_PORT = 8081;

/** The logic admin API of a kind cluster, reached through a port-forward to each pod. */
export class KindLogicAdmin {
  readonly #cluster: Cluster;
  readonly #token: string;

  constructor(cluster: Cluster, token: string) {
    this.#cluster = cluster;
    this.#token = token;
  }

  /** The admin API of the pod a port-forward reaches at `url`. */
  #admin(url: string): AdminClient {
    return new AdminClient(url, this.#token);
  }

  /** Runs fn against one Ready logic pod, retrying on another while pods come and go. */
  #anyPod<T>(what: string, fn: (url: string) => Promise<T>): Promise<T> {
    return waitFor(
      `${what} through a Ready logic pod`,
      async () => {
        const [pod] = await this.#cluster.readyPods(LOGIC);
        if (!pod) throw new Error('no Ready logic pod');
        return this.#cluster.throughPod(pod, LOGIC_PORT, fn);
      },
      { timeoutMs: 60_000, intervalMs: 1000, log: this.#cluster.log },
    );
  }

  /**
   * Sets faults on every logic replica with one PUT through any Ready pod: logic keeps fault
   * settings in the database and each replica reads them every 500 ms (mixing the seed with
   * its own name). Returns the pod it went through.
   */
  setFaults(settings: FaultSettings): Promise<string> {
    return this.#anyPod('setting the faults', async (url) => {
      const answer = await this.#admin(url).putFaults(settings);
      return answer.replica;
    });
  }

  async faultCounts(): Promise<FaultCounts> {
    let sum = zeroFaultCounts();
    for (const pod of await this.#cluster.readyPods(LOGIC)) {
      const counts = await this.#cluster.throughPod(
        pod,
        LOGIC_PORT,
        async (url) => (await this.#admin(url).getFaults()).injected.counts,
      );
      sum = addFaultCounts(sum, counts);
    }
    return sum;
  }

  /** What each Ready logic pod says it is on /healthz (a terminating one is not serving). */
  async identities(): Promise<ReplicaIdentity[]> {
    const identities: ReplicaIdentity[] = [];
    for (const pod of await this.#cluster.readyPods(LOGIC)) {
      identities.push(await this.#cluster.throughPod(pod, LOGIC_PORT, readIdentity));
    }
    return identities;
  }

  audit(eventIds?: readonly string[]): Promise<Audit> {
    return this.#anyPod('the audit', (url) => this.#admin(url).getAudit(eventIds));
  }

  createEvents(events: readonly NewEvent[]): Promise<void> {
    return this.#anyPod('creating events', (url) => createStockEvents(this.#admin(url), events));
  }

  archiveEvents(ids: readonly string[]): Promise<void> {
    return this.#anyPod('archiving events', (url) => this.#admin(url).archiveEvents(ids));
  }
}
