import { NO_FAULTS } from '../../shared/admin-api.ts';
import type { Cluster } from './cluster.ts';
import { type KindLogicAdmin, LOGIC } from './logic-admin.ts';
import { forgetLogicReplicas, readLogicScale, scaleLogic } from './logic-scale.ts';
import { PROBE_EGRESS_POLICY, PROBE_POD } from './network-probe.ts';

/**
 * Puts back what a chaos run may have changed in the cluster, whatever step it stopped at:
 * logic's replica count, faults on every logic pod, the network probe's pod and policy.
 * Each step is tried even when one before it failed; returns one line per step.
 */
export async function restoreCluster(
  cluster: Cluster,
  admin: KindLogicAdmin,
  logicReplicas: number,
): Promise<string[]> {
  const lines: string[] = [];
  const step = async (what: string, work: () => Promise<string | undefined>) => {
    try {
      const line = await work();
      if (line) lines.push(line);
    } catch (error) {
      lines.push(`could not ${what}: ${(error as Error).message}`);
    }
  };
  await step('scale logic back', async () => {
    const scale = await readLogicScale(cluster);
    const wanted = scale.saved ?? logicReplicas;
    let line: string | undefined;
    if (scale.replicas !== wanted) {
      await scaleLogic(cluster, wanted);
      await cluster.waitReady('every logic pod to be Ready', LOGIC, wanted, Date.now());
      line = `logic scaled back from ${scale.replicas} to ${wanted} replicas`;
    }
    if (scale.saved !== undefined) await forgetLogicReplicas(cluster);
    return line;
  });
  await step('clear the faults', async () => {
    const pod = await admin.setFaults(NO_FAULTS);
    return `faults cleared on every logic replica (through ${pod})`;
  });
  await step('remove the network probe', async () => {
    await cluster.run('deleting the probe pod', [
      'delete',
      'pod',
      PROBE_POD,
      '--ignore-not-found',
      '--wait=false',
    ]);
    await cluster.run('removing the probe egress policy', [
      'delete',
      'networkpolicy',
      PROBE_EGRESS_POLICY,
      '--ignore-not-found',
    ]);
    return `probe pod ${PROBE_POD} and policy ${PROBE_EGRESS_POLICY} removed (if left)`;
  });
  return lines;
}
