import { type ChildProcess, spawn } from 'node:child_process';
import { type RunOptions, run, ScriptError, tryRun } from './run.ts';
import { NAMESPACE } from './settings.ts';
import { formatSeconds } from './wait.ts';

/** Which cluster and namespace a kubectl call talks to. */
export interface KubeTarget {
  context: string;
  namespace?: string;
}

/** `kubectl --context C [-n NS] args…`, so no script ever acts on whatever context is current. */
export function kubectlArgs(target: KubeTarget, args: readonly string[]): string[] {
  return [
    '--context',
    target.context,
    ...(target.namespace ? ['-n', target.namespace] : []),
    ...args,
  ];
}

/** Runs kubectl, throwing a ScriptError naming `what` on failure; returns stdout. */
export function kubectl(
  what: string,
  target: KubeTarget,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  return run(what, 'kubectl', kubectlArgs(target, args), options);
}

/**
 * Runs a long kubectl command in the foreground with its output on the terminal, until it ends
 * or Ctrl-C. A failure (not Ctrl-C) throws a ScriptError with `hint` after the exit code.
 */
export async function followKubectl(
  target: KubeTarget,
  args: readonly string[],
  hint: string,
): Promise<void> {
  const result = await tryRun('kubectl', kubectlArgs(target, args), { stream: true });
  if (!result.ok && result.exitCode !== null) {
    throw new ScriptError(`kubectl ${args[0]} exited ${result.exitCode} (${hint})`);
  }
}

/** True when `kubectl get KIND NAME` finds the object, false on NotFound, throws otherwise. */
export async function exists(target: KubeTarget, kind: string, name: string): Promise<boolean> {
  const result = await tryRun('kubectl', kubectlArgs(target, ['get', kind, name, '-o', 'name']));
  if (result.ok) return true;
  if (/NotFound|not found/i.test(result.stderr)) return false;
  throw new ScriptError(`could not look up ${kind}/${name}: ${result.stderr.trim()}`);
}

/**
 * Reads one key of a Secret, decoded. The value is never printed.
 * Example: `await readSecretKey(t, 'flame-credentials', 'admin-token')`.
 */
export async function readSecretKey(
  target: KubeTarget,
  secret: string,
  key: string,
): Promise<string> {
  const json = await kubectl(
    `reading Secret ${secret}`,
    target,
    ['get', 'secret', secret, '-o', 'json'],
    {
      silent: true,
    },
  );
  const data = (JSON.parse(json) as { data?: Record<string, string> }).data ?? {};
  const encoded = data[key];
  if (encoded === undefined) throw new ScriptError(`Secret ${secret} has no key "${key}"`);
  return Buffer.from(encoded, 'base64').toString('utf8');
}

export interface PodSummary {
  name: string;
  /** Tells a StatefulSet's replacement from the pod it replaces: same name, new uid. */
  uid: string;
  ready: boolean;
}

/** Pods matching a label selector (e.g. `app=flame-logic`), with their Ready condition. */
export async function listPods(target: KubeTarget, selector: string): Promise<PodSummary[]> {
  const json = await kubectl(
    `listing pods ${selector}`,
    target,
    ['get', 'pods', '-l', selector, '-o', 'json'],
    {
      silent: true,
    },
  );
  const list = JSON.parse(json) as {
    items: {
      metadata: { name: string; uid?: string; deletionTimestamp?: string };
      status?: { conditions?: { type: string; status: string }[] };
    }[];
  };
  return list.items.map((pod) => ({
    name: pod.metadata.name,
    uid: pod.metadata.uid ?? pod.metadata.name,
    ready:
      !pod.metadata.deletionTimestamp &&
      (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  }));
}

export interface PortForward {
  /** Port on 127.0.0.1 that reaches the pod's port. */
  localPort: number;
  /** The kubectl process; exits when the pod goes away. */
  process: ChildProcess;
  /** Stops the forward (idempotent) and resolves once kubectl has exited. */
  close(): Promise<void>;
}

/**
 * Starts `kubectl port-forward <resource> :<remotePort>` on 127.0.0.1 and resolves with the
 * local port kubectl picked, once it says "Forwarding from". Rejects with a ScriptError if
 * kubectl exits first or says nothing within `timeoutMs`.
 * `resource` is `pod/NAME` (the chaos runner reaching one replica's admin API) or
 * `service/NAME`.
 */
export function portForward(
  target: KubeTarget,
  resource: string,
  remotePort: number,
  { timeoutMs = 15_000 }: { timeoutMs?: number } = {},
): Promise<PortForward> {
  const args = kubectlArgs(target, [
    'port-forward',
    '--address',
    '127.0.0.1',
    resource,
    `:${remotePort}`,
  ]);
  const child = spawn('kubectl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise<PortForward>((resolve, reject) => {
    let output = '';
    const fail = (reason: string): void => {
      clearTimeout(timer);
      void close();
      reject(new ScriptError(`port-forward to ${resource}:${remotePort} ${reason}`));
    };
    const timer = setTimeout(
      () =>
        fail(
          `did not start within ${formatSeconds(timeoutMs)}${output ? `: ${output.trim()}` : ''}`,
        ),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve({ localPort: Number(match[1]), process: child, close });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error) => fail(`could not start kubectl: ${error.message}`));
    child.once('exit', (code) => fail(`ended early (exit ${code}): ${output.trim()}`));
  });
}

/** The default target of the scripts: the flame namespace of the given context. */
export function flameTarget(context: string): KubeTarget {
  return { context, namespace: NAMESPACE };
}
