// npm run cluster:down — delete the kind cluster, if it exists.
import { clusterExists } from '../src/kube/kind.ts';
import { run, runScript, say } from '../src/kube/run.ts';
import { loadSettings } from '../src/kube/settings.ts';
import { requireTools } from '../src/kube/tools.ts';

await runScript('cluster:down', async () => {
  const settings = loadSettings();
  await requireTools(['kind']);
  const name = settings.clusterName;
  if (!(await clusterExists(name))) {
    say(`kind cluster "${name}" does not exist — nothing to delete`);
    return;
  }
  say(`Deleting kind cluster "${name}" (its database volume goes with it)`);
  await run(`deleting kind cluster "${name}"`, 'kind', ['delete', 'cluster', '--name', name]);
  say(`Deleted "${name}"`);
});
