// npm run cluster:up — create the kind cluster (if absent) and wait for its nodes.
import { clusterExists, portIsFree, readHostPorts } from '../src/kube/kind.ts';
import { currentContext, restoreContext } from '../src/kube/kubeconfig.ts';
import { kubectl } from '../src/kube/kubectl.ts';
import { run, runScript, ScriptError, say } from '../src/kube/run.ts';
import { loadSettings, type Settings } from '../src/kube/settings.ts';
import { requireTools } from '../src/kube/tools.ts';
import { type Progress, withProgress } from '../src/kube/wait.ts';

await runScript('cluster:up', async () => {
  const settings = loadSettings();
  await requireTools([settings.containerCli, 'kind', 'kubectl']);

  const name = settings.clusterName;
  const progress = { everyMs: settings.progressS * 1000, report: say };
  const previousContext = await currentContext();
  // kind makes the new cluster the current context, even when creating it fails half-way.
  try {
    await createOrReuse(settings, progress);
    // Rewrites the context even when the cluster existed, in case kubeconfig was reset.
    await run('exporting the kubeconfig', 'kind', ['export', 'kubeconfig', '--name', name]);
  } finally {
    await restoreContext(previousContext, settings.kubeContext);
  }

  say(`Waiting up to ${settings.nodesTimeoutS}s for the nodes of "${name}" to be Ready`);
  try {
    await withProgress(`the nodes of "${name}"`, settings.nodesTimeoutS * 1000, progress, () =>
      kubectl('waiting for nodes', { context: settings.kubeContext }, [
        'wait',
        '--for=condition=Ready',
        'nodes',
        '--all',
        `--timeout=${settings.nodesTimeoutS}s`,
      ]),
    );
  } catch (error) {
    throw new ScriptError(
      `Timed out after ${settings.nodesTimeoutS}s waiting for the nodes of kind cluster "${name}" to be Ready ` +
        `(see \`kubectl --context ${settings.kubeContext} describe nodes\`)\n${(error as Error).message}`,
    );
  }
  say(`Cluster "${name}" is ready (kubectl context ${settings.kubeContext}). Next: npm run deploy`);
});

/** Creates the cluster unless it exists; first checks that the host ports it publishes are free. */
async function createOrReuse(settings: Settings, progress: Progress): Promise<void> {
  const name = settings.clusterName;
  if (await clusterExists(name)) {
    say(`kind cluster "${name}" already exists — not creating it`);
  } else {
    for (const { hostPort, listenAddress } of await readHostPorts(settings.clusterConfig)) {
      if (!(await portIsFree(hostPort, listenAddress))) {
        throw new ScriptError(
          `port ${hostPort} on ${listenAddress} is taken, and the cluster publishes the shop there. ` +
            'Stop what uses it (`npm start`? another cluster?) and retry.',
        );
      }
    }
    say(`Creating kind cluster "${name}" from ${settings.clusterConfig}`);
    await withProgress(`kind to create "${name}"`, undefined, progress, () =>
      run(`creating kind cluster "${name}"`, 'kind', [
        'create',
        'cluster',
        '--name',
        name,
        '--config',
        settings.clusterConfig,
        ...(settings.nodeImage ? ['--image', settings.nodeImage] : []),
        '--wait',
        '0s',
      ]),
    );
  }
}
