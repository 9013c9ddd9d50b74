import { dockerEngine } from '../../docker/engine.ts';
import type { Settings } from '../../kube/index.ts';
import type { Cluster } from './cluster.ts';
import { NodeChaos, readNodes } from './node-chaos.ts';
import { NodeFaults } from './node-faults.ts';

/** The kind target's node control, or why it has none on this cluster and machine. */
export type NodeControlChoice = { control: NodeChaos } | { whyNot: string };

/** Docker-level node faults on the engine that runs kind's nodes (podman when kind uses it). */
export function kindNodeFaults(settings: Settings): NodeFaults {
  return new NodeFaults(dockerEngine({ command: settings.containerCli }), settings.kindNetwork);
}

/**
 * Node scenarios only when the cluster has workers and each node is a container on this
 * machine's engine (not so for a cluster made elsewhere).
 */
export async function connectNodeControl(
  cluster: Cluster,
  faults: NodeFaults,
  counts: { logic: number; frontend: number },
): Promise<NodeControlChoice> {
  const nodes = await readNodes(cluster);
  if (!nodes.some((n) => !n.controlPlane)) {
    return {
      whyNot: 'the cluster has no worker nodes (make one with KIND_WORKERS=2 npm run cluster:up)',
    };
  }
  for (const { name } of nodes) {
    const why = await faults.engine.find(name).then(
      (state) => (state ? undefined : `node ${name} is no container on this machine's engine`),
      (error: Error) => `the container engine cannot be asked about node ${name}: ${error.message}`,
    );
    if (why) return { whyNot: `${why} (node scenarios need kind's nodes on this machine)` };
  }
  return { control: new NodeChaos(cluster, faults, counts) };
}
