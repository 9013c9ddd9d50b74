// npm run cluster:state [-- --out DIR] — write the cluster's state (pods, events, describe,
// NetworkPolicies, pod logs) into DIR (default reports/kind-state), for a bug report or the CI
// artifact. Collects what it can; a failing kubectl call is recorded, not fatal.
import { parseArgs } from 'node:util';
import {
  collectClusterState,
  loadSettings,
  NAMESPACE,
  requireTools,
  runScript,
} from '../src/kube/index.ts';

await runScript('cluster:state', async () => {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: 'reports/kind-state' } },
  });
  const settings = loadSettings();
  await requireTools(['kubectl']);
  await collectClusterState(settings.kubeContext, NAMESPACE, values.out);
});
