import type { ContainerState, DockerEngine } from '../../docker/engine.ts';
import type { NodeFault } from '../targets/target.ts';

/*
 * What happens to a kind node, which is a container on the Docker engine that runs kind:
 * - freeze: `docker pause` — every process on the node (kubelet, pods) alive but silent;
 * - loss: `docker stop -t 0` — the node is gone at once, as if its power were cut;
 * - partition: `docker network disconnect` from kind's network — running, but unreachable.
 */
export const NODE_FAULTS: readonly NodeFault[] = ['freeze', 'loss', 'partition'];

/** The Docker network `kind create cluster` attaches every node to. */
export const KIND_NETWORK = 'kind';

/** Stopping a node with no grace: its processes get SIGKILL, nothing shuts down cleanly. */
const LOSS_GRACE_S = 0;

/**
 * Takes a node away and gives it back, and puts back any node an interrupted run left paused,
 * stopped or disconnected. Works on container names, so the tests run it on stand-in
 * containers; for kind, a node's container has the node's name.
 */
export class NodeFaults {
  readonly engine: DockerEngine;
  readonly network: string;
  /** Each node's address on the network before its fault, to check it got the same one back. */
  readonly #addresses = new Map<string, string>();

  constructor(engine: DockerEngine, network = KIND_NETWORK) {
    this.engine = engine;
    this.network = network;
  }

  async inject(node: string, fault: NodeFault): Promise<void> {
    const state = await this.engine.inspect(node);
    const address = state.ips[this.network];
    if (!state.running || state.paused || address === undefined) {
      throw new Error(
        `node ${node} is not running on network ${this.network}: ${describe(state, this.network)}`,
      );
    }
    this.#addresses.set(node, address);
    if (fault === 'freeze') await this.engine.pause(node);
    else if (fault === 'loss') await this.engine.stop(node, LOSS_GRACE_S);
    else await this.engine.disconnect(this.network, node);
  }

  /**
   * Gives the node back. Resolves with its state; rejects when it came back with another
   * address (the rest of the cluster still knows the old one: see docs/KIND.md).
   */
  async heal(node: string, fault: NodeFault): Promise<ContainerState> {
    if (fault === 'freeze') await this.engine.unpause(node);
    else if (fault === 'loss') await this.engine.start(node);
    else await this.engine.connect(this.network, node);
    const state = await this.engine.inspect(node);
    const before = this.#addresses.get(node);
    this.#addresses.delete(node);
    const now = state.ips[this.network];
    if (before !== undefined && now !== before) {
      throw new Error(
        `node ${node} came back on ${this.network} with address ${now ?? '(none)'}, not ${before}: another container took its address while it was away`,
      );
    }
    return state;
  }

  /**
   * Leaves every named node running, unpaused and on the network, whatever an interrupted run
   * did to it; reads each node's state from Docker, so it needs nothing remembered from that
   * run. Tries every node even when one fails; one line per node it changed or could not.
   */
  async restore(nodes: readonly string[]): Promise<string[]> {
    const lines: string[] = [];
    for (const node of nodes) {
      try {
        const line = await this.#restoreOne(node);
        if (line) lines.push(line);
      } catch (error) {
        lines.push(`could not restore node ${node}: ${(error as Error).message}`);
      }
    }
    return lines;
  }

  async #restoreOne(node: string): Promise<string | undefined> {
    let state = await this.engine.find(node);
    if (!state) return `node ${node}: no such container (deleted?)`;
    const done: string[] = [];
    if (state.paused) {
      await this.engine.unpause(node);
      done.push('unpaused');
    } else if (!state.running) {
      await this.engine.start(node);
      done.push('started');
    }
    // A stopped container shows no address; read it again once it runs.
    if (done.length > 0) state = await this.engine.inspect(node);
    if (state.ips[this.network] === undefined) {
      await this.engine.connect(this.network, node);
      done.push(`connected to ${this.network}`);
    }
    return done.length > 0 ? `node ${node} ${done.join(' and ')}` : undefined;
  }
}

function describe(state: ContainerState, network: string): string {
  const address = state.ips[network];
  return `${state.status}${state.paused ? ' (paused)' : ''}, ${address ? `address ${address}` : 'not on the network'}`;
}
