import type { ChildProcess } from 'node:child_process';
import { formatSeconds } from '../shared/wait.ts';
import { NAMESPACE } from './settings.ts';
import { $, ScriptError, step } from './shell.ts';

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

export interface KubectlOptions {
  /** Fed to stdin (`apply -f -`): how manifests and secrets reach kubectl. */
  input?: string;
  /** Neither echo the command nor print its output: a look-up whose output is data. */
  quiet?: boolean;
  /** Kills kubectl (SIGTERM) if it has not finished by then: a look-up inside a wait. */
  timeoutMs?: number;
  /** Kills kubectl when aborted: a wait's attempt that ran past its deadline. */
  signal?: AbortSignal;
}

/**
 * `kubectl --context C [-n NS] args…` through zx's `$`, echoed by zx; a failure throws a
 * ScriptError naming `what`. Returns stdout.
 */
export function kubectl(
  what: string,
  target: KubeTarget,
  args: readonly string[],
  { input, quiet = false, timeoutMs, signal }: KubectlOptions = {},
): Promise<string> {
  const shell = $({
    quiet,
    ...(input === undefined ? {} : { input }),
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
    ...(signal === undefined ? {} : { signal }),
  });
  return step(what, shell`kubectl ${kubectlArgs(target, args)}`);
}

/**
 * Runs a long kubectl command (logs -f, port-forward) in the foreground with its output on the
 * terminal, until it ends or Ctrl-C. A failure (not Ctrl-C) throws a ScriptError with `hint`
 * after the exit code. Returns the exit code, null when a signal ended it.
 */
export async function followKubectl(
  target: KubeTarget,
  args: readonly string[],
  hint?: string,
): Promise<number | null> {
  const output = await $({
    stdio: ['ignore', 'inherit', 'inherit'],
    nothrow: true,
  })`kubectl ${kubectlArgs(target, args)}`;
  if (hint !== undefined && !output.ok && output.exitCode !== null) {
    throw new ScriptError(`kubectl ${args[0]} exited ${output.exitCode} (${hint})`);
  }
  return output.exitCode;
}

/** True when `kubectl get KIND NAME` finds the object, false on NotFound, throws otherwise. */
export async function exists(target: KubeTarget, kind: string, name: string): Promise<boolean> {
  const result =
    await $`kubectl ${kubectlArgs(target, ['get', kind, name, '-o', 'name'])}`.nothrow();
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
    // Never echoed: the output holds the Secret's values.
    { quiet: true },
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
  /** The node it was scheduled on; undefined while Pending. */
  node: string | undefined;
}

/**
 * Pods matching a label selector (e.g. `app=flame-logic`), with their Ready condition. A
 * look-up polled inside a wait: `signal` (the attempt's deadline) and `timeoutMs` bound it.
 */
export async function listPods(
  target: KubeTarget,
  selector: string,
  { timeoutMs = 30_000, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<PodSummary[]> {
  const json = await kubectl(
    `listing pods ${selector}`,
    target,
    ['get', 'pods', '-l', selector, '-o', 'json'],
    { quiet: true, timeoutMs, ...(signal ? { signal } : {}) },
  );
  const list = JSON.parse(json) as {
    items: {
      metadata: { name: string; uid?: string; deletionTimestamp?: string };
      spec?: { nodeName?: string };
      status?: { conditions?: { type: string; status: string }[] };
    }[];
  };
  return list.items.map((pod) => ({
    name: pod.metadata.name,
    uid: pod.metadata.uid ?? pod.metadata.name,
    node: pod.spec?.nodeName,
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
  const args = ['port-forward', '--address', '127.0.0.1', resource, `:${remotePort}`];
  // zx's ProcessPromise: a long-running command whose output is read as it comes.
  const forward = $({ quiet: true, nothrow: true })`kubectl ${kubectlArgs(target, args)}`;
  const close = async (): Promise<void> => {
    if (forward.stage === 'running') await forward.kill('SIGTERM');
    await forward;
  };
  return new Promise<PortForward>((resolve, reject) => {
    const fail = (reason: string): void => {
      clearTimeout(timer);
      void close();
      reject(new ScriptError(`port-forward to ${resource}:${remotePort} ${reason}`));
    };
    let output = '';
    const timer = setTimeout(() => {
      const said = output.trim();
      fail(`did not start within ${formatSeconds(timeoutMs)}${said ? `: ${said}` : ''}`);
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      forward.stdout.off('data', onData);
      forward.stdout.resume();
      resolve({ localPort: Number(match[1]), process: forward.child as ChildProcess, close });
    };
    forward.stdout.on('data', onData);
    forward.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void forward.then((end) => fail(`ended early (exit ${end.exitCode}): ${output.trim()}`));
  });
}

/** The default target of the scripts: the flame namespace of the given context. */
export function flameTarget(context: string): KubeTarget {
  return { context, namespace: NAMESPACE };
}
