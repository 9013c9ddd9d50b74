import { clusterExists, portIsFree, readHostPorts } from './kind.ts';
import { currentContext, restoreContext } from './kubeconfig.ts';
import { kubectl } from './kubectl.ts';
import type { Settings } from './settings.ts';
import { $, announce, ScriptError, step } from './shell.ts';
import { type StillWaiting, withProgress } from './wait.ts';

/** `npm run cluster:up`: creates the kind cluster (if absent) and waits for its nodes. */
export async function clusterUp(settings: Settings): Promise<void> {
  const name = settings.clusterName;
  const still = { everyMs: settings.progressS * 1000, report: announce };
  const previousContext = await currentContext();
  // kind makes the new cluster the current context, even when creating it fails half-way.
  try {
    await createOrReuse(settings, still);
    // Rewrites the context even when the cluster existed, in case kubeconfig was reset.
    await step('exporting the kubeconfig', $`kind export kubeconfig --name ${name}`);
  } finally {
    await restoreContext(previousContext, settings.kubeContext);
  }
  await waitForNodes(settings, still);
  announce(
    `Cluster "${name}" is ready (kubectl context ${settings.kubeContext}). Next: npm run deploy`,
  );
}

/** Creates the cluster unless it exists; first checks that the host ports it publishes are free. */
async function createOrReuse(settings: Settings, still: StillWaiting): Promise<void> {
  const name = settings.clusterName;
  if (await clusterExists(name)) {
    announce(`kind cluster "${name}" already exists — not creating it`);
    return;
  }
  await requireFreeHostPorts(settings.clusterConfig);
  announce(`Creating kind cluster "${name}" from ${settings.clusterConfig}`);
  const image = settings.nodeImage ? ['--image', settings.nodeImage] : [];
  await withProgress(`kind to create "${name}"`, undefined, still, () =>
    step(
      `creating kind cluster "${name}"`,
      $`kind create cluster --name ${name} --config ${settings.clusterConfig} ${image} --wait 0s`,
    ),
  );
}

async function requireFreeHostPorts(clusterConfig: string): Promise<void> {
  for (const { hostPort, listenAddress } of await readHostPorts(clusterConfig)) {
    if (!(await portIsFree(hostPort, listenAddress))) {
      throw new ScriptError(
        `port ${hostPort} on ${listenAddress} is taken, and the cluster publishes the shop there. ` +
          'Stop what uses it (`npm start`? another cluster?) and retry.',
      );
    }
  }
}

async function waitForNodes(settings: Settings, still: StillWaiting): Promise<void> {
  const name = settings.clusterName;
  const timeoutS = settings.nodesTimeoutS;
  announce(`Waiting up to ${timeoutS}s for the nodes of "${name}" to be Ready`);
  try {
    await withProgress(`the nodes of "${name}"`, timeoutS * 1000, still, () =>
      kubectl('waiting for nodes', { context: settings.kubeContext }, [
        'wait',
        '--for=condition=Ready',
        'nodes',
        '--all',
        `--timeout=${timeoutS}s`,
      ]),
    );
  } catch (error) {
    throw new ScriptError(
      `Timed out after ${timeoutS}s waiting for the nodes of kind cluster "${name}" to be Ready ` +
        `(see \`kubectl --context ${settings.kubeContext} describe nodes\`)\n${(error as Error).message}`,
    );
  }
}

/** `npm run cluster:down`: deletes the kind cluster, if it exists. */
export async function clusterDown(settings: Settings): Promise<void> {
  const name = settings.clusterName;
  if (!(await clusterExists(name))) {
    announce(`kind cluster "${name}" does not exist — nothing to delete`);
    return;
  }
  announce(`Deleting kind cluster "${name}" (its database volume goes with it)`);
  await step(`deleting kind cluster "${name}"`, $`kind delete cluster --name ${name}`);
  announce(`Deleted "${name}"`);
}

/** For the scripts that need a cluster made by cluster:up. */
export async function requireCluster(settings: Settings): Promise<void> {
  if (!(await clusterExists(settings.clusterName))) {
    throw new ScriptError(
      `kind cluster "${settings.clusterName}" does not exist: run npm run cluster:up first`,
    );
  }
}
