import { $, $quiet, announce, step } from './shell.ts';

/** kubectl's current context, or undefined when the kubeconfig has none (or no kubeconfig). */
export async function currentContext(): Promise<string | undefined> {
  const result = await $quiet`kubectl config current-context`.nothrow();
  const name = result.stdout.trim();
  return result.ok && name ? name : undefined;
}

/**
 * `kind create cluster` and `kind export kubeconfig` make the kind cluster kubectl's current
 * context. Puts back the one the user had, so a later bare `kubectl` does not act on another
 * cluster than the user expects; the scripts themselves always pass --context.
 */
export async function restoreContext(
  previous: string | undefined,
  kindContext: string,
): Promise<void> {
  const now = await currentContext();
  if (previous === undefined) {
    announce(`kubectl had no current context; it is now ${kindContext}`);
    return;
  }
  if (now === previous) {
    announce(`kubectl's current context is still ${previous}`);
    return;
  }
  await step('restoring the kubectl context', $`kubectl config use-context ${previous}`);
  announce(
    `kubectl's current context is still ${previous} (kind switched it; put back). ` +
      `For the cluster: kubectl --context ${kindContext} …`,
  );
}
