import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type KubeTarget, kubectlArgs } from './kubectl.ts';
import { $quiet, announce } from './shell.ts';

/** One file of the collected state: what kubectl was asked, into which file. */
interface Capture {
  file: string;
  target: KubeTarget;
  args: string[];
}

function captures(context: string, namespace: string): Capture[] {
  const cluster = { context };
  const ns = { context, namespace };
  return [
    { file: 'nodes.txt', target: cluster, args: ['get', 'nodes', '-o', 'wide'] },
    { file: 'nodes-describe.txt', target: cluster, args: ['describe', 'nodes'] },
    { file: 'pods-all-namespaces.txt', target: cluster, args: ['get', 'pods', '-A', '-o', 'wide'] },
    {
      file: 'objects.txt',
      target: ns,
      // Secrets by name and type only: `get` never prints their data.
      args: ['get', 'all,pvc,pdb,networkpolicies,secrets,endpointslices', '-o', 'wide'],
    },
    {
      file: 'events.txt',
      target: ns,
      args: ['get', 'events', '--sort-by=.metadata.creationTimestamp'],
    },
    {
      file: 'events-all-namespaces.txt',
      target: cluster,
      args: ['get', 'events', '-A', '--sort-by=.metadata.creationTimestamp'],
    },
    { file: 'describe-pods.txt', target: ns, args: ['describe', 'pods'] },
    { file: 'describe-workloads.txt', target: ns, args: ['describe', 'deployments,statefulsets'] },
    { file: 'describe-networkpolicies.txt', target: ns, args: ['describe', 'networkpolicies'] },
    { file: 'describe-pvc.txt', target: ns, args: ['describe', 'pvc'] },
  ];
}

/**
 * Writes what the cluster looks like now into `outDir`, one file per kubectl call, for the CI
 * artifact after a failed or cancelled run. A failing call writes its error and the rest go
 * on: the point is to collect what can be collected. Returns the files written.
 */
export async function collectClusterState(
  context: string,
  namespace: string,
  outDir: string,
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const save = async (file: string, target: KubeTarget, args: string[]) => {
    const result = await $quiet`kubectl ${kubectlArgs(target, args)}`.nothrow();
    const header = `$ kubectl ${kubectlArgs(target, args).join(' ')}\n# exit ${result.exitCode}\n`;
    await writeFile(join(outDir, file), `${header}${result.stdout}${result.stderr}`);
    written.push(file);
    return result;
  };
  for (const { file, target, args } of captures(context, namespace)) await save(file, target, args);
  const ns = { context, namespace };
  const pods = await $quiet`kubectl ${kubectlArgs(ns, ['get', 'pods', '-o', 'name'])}`.nothrow();
  for (const pod of pods.stdout.split('\n').filter(Boolean)) {
    const name = pod.replace(/^pod\//, '');
    await save(`logs-${name}.txt`, ns, ['logs', pod, '--all-containers', '--timestamps']);
    // The run before a crash or a kill: empty (and an error) when the pod never restarted.
    await save(`logs-${name}-previous.txt`, ns, ['logs', pod, '--all-containers', '--previous']);
  }
  announce(`Wrote ${written.length} files of cluster state to ${outDir}`);
  return written;
}
