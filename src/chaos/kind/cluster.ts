import {
  type KubeTarget,
  kubectl,
  listPods,
  type PodSummary,
  portForward,
  waitFor,
} from '../../kube/index.ts';

/**
 * The kubectl calls the kind target makes, each logged and bounded in time: every call is
 * killed after `timeoutMs`, and a call inside a wait also when that attempt's deadline passes.
 */
export class Cluster {
  readonly kube: KubeTarget;
  /** The run's system.log: each kubectl call and each failed wait attempt. */
  readonly log: (line: string) => void;
  readonly timeoutMs: number;

  constructor(kube: KubeTarget, log: (line: string) => void, timeoutMs: number) {
    this.kube = kube;
    this.log = log;
    this.timeoutMs = timeoutMs;
  }

  /** kubectl --context C -n flame args…, logged to the run's system.log. */
  run(what: string, args: readonly string[]): Promise<string> {
    this.log(`$ kubectl ${args.join(' ')}`);
    return kubectl(what, this.kube, args, { quiet: true, timeoutMs: this.timeoutMs });
  }

  pods(selector: string, signal?: AbortSignal): Promise<PodSummary[]> {
    return listPods(this.kube, selector, {
      timeoutMs: this.timeoutMs,
      ...(signal ? { signal } : {}),
    });
  }

  async readyPods(selector: string): Promise<string[]> {
    return (await this.pods(selector))
      .filter((p) => p.ready)
      .map((p) => p.name)
      .sort();
  }

  async deploymentReplicas(name: string): Promise<number> {
    const out = await this.run(`reading the replicas of deployment/${name}`, [
      'get',
      `deployment/${name}`,
      '-o',
      'jsonpath={.spec.replicas}',
    ]);
    const replicas = Number(out.trim());
    if (!Number.isInteger(replicas) || replicas < 1) {
      throw new Error(`deployment/${name} has no usable replica count (got "${out.trim()}")`);
    }
    return replicas;
  }

  /**
   * Deletes a StatefulSet pod with a short grace period and without --force: Kubernetes
   * starts the replacement only once the old pod is really gone, so two database processes
   * never share the volume (its docs warn against force-deleting StatefulSet pods).
   */
  async deletePodGracefully(name: string, graceSeconds: number): Promise<void> {
    await this.run(`deleting pod ${name}`, [
      'delete',
      'pod',
      name,
      `--grace-period=${graceSeconds}`,
      '--wait=false',
    ]);
  }

  /** Deletes a pod at once (grace 0), as a crash or a node loss would. */
  async killPod(name: string): Promise<void> {
    await this.run(`deleting pod ${name}`, [
      'delete',
      'pod',
      name,
      '--grace-period=0',
      '--force',
      '--wait=false',
    ]);
  }

  /**
   * Resolves with the seconds from `since` until `count` pods of `selector` are Ready, not
   * counting the pods with uids `exclude` (the ones just killed: by uid, because a
   * StatefulSet's replacement keeps its name).
   */
  async waitReady(
    what: string,
    selector: string,
    count: number,
    since: number,
    exclude: string | readonly string[] = [],
  ): Promise<number> {
    const excluded = new Set(typeof exclude === 'string' ? [exclude] : exclude);
    await waitFor(
      what,
      async (signal) => {
        const ready = (await this.pods(selector, signal)).filter(
          (p) => p.ready && !excluded.has(p.uid),
        );
        return ready.length >= count ? true : undefined;
      },
      { timeoutMs: this.timeoutMs, intervalMs: 250, log: this.log },
    );
    return Math.round((Date.now() - since) / 10) / 100;
  }

  /** Polls `attempt` until it returns a value, within the cluster's time limit. */
  waitFor<T>(what: string, attempt: (signal: AbortSignal) => Promise<T | undefined>): Promise<T> {
    return waitFor(what, attempt, { timeoutMs: this.timeoutMs, intervalMs: 500, log: this.log });
  }

  async waitGone(what: string, selector: string): Promise<void> {
    await waitFor(
      what,
      async (signal) => ((await this.pods(selector, signal)).length === 0 ? true : undefined),
      {
        timeoutMs: this.timeoutMs,
        intervalMs: 500,
        log: this.log,
      },
    );
  }

  /** Runs fn with a local URL that reaches port `remotePort` of one pod; then closes it. */
  async throughPod<T>(
    pod: string,
    remotePort: number,
    fn: (url: string) => Promise<T>,
  ): Promise<T> {
    this.log(`$ kubectl port-forward pod/${pod} :${remotePort}`);
    const forward = await portForward(this.kube, `pod/${pod}`, remotePort);
    try {
      return await fn(`http://127.0.0.1:${forward.localPort}`);
    } finally {
      await forward.close();
    }
  }
}
