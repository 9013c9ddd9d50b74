// A stand-in `kubectl` for testing the chaos runner's kind target without any cluster: a tiny
// shell script that appends its argv to calls.log and answers from files in a state folder
// (pods per label, the Secret, deployments). `delete pod` replaces a Deployment pod with a
// new Ready one, `scale --replicas=0` empties the logic pods (and the deployment's replica
// count, read back by `get deployment/flame-logic -o json` with its annotation), `annotate`
// keeps the noted count, and `port-forward` points at a fake admin server the test runs on
// 127.0.0.1. The probe pod's phase is Succeeded unless the file probe-phase says otherwise.
// `get nodes` answers from nodes.json, which the node scenario tests keep as a node controller.
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pod = (name: string, app: string) => ({
  metadata: { name, uid: `${name}-uid`, labels: { app } },
  status: {
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ restartCount: 0 }],
  },
});

const SCRIPT = `#!/bin/sh
printf '%s\\n' "kubectl $*" >> "$FAKE_STATE/calls.log"
pods() { printf '{"items":['; cat "$FAKE_STATE/pods-$1.items" 2>/dev/null; printf ']}\\n'; }
case " $* " in
  *" get secret flame-credentials -o json "*)
    printf '{"data":{"admin-token":"%s"}}\\n' "$(printf '%s' "$FAKE_TOKEN" | base64)" ;;
  *" get deployment/flame-logic -o jsonpath={.spec.replicas} "*) cat "$FAKE_STATE/replicas-logic" ;;
  *" get deployment/flame-logic -o json "*)
    saved=$(cat "$FAKE_STATE/saved-logic" 2>/dev/null)
    printf '{"spec":{"replicas":%s},"metadata":{"annotations":{%s}}}\n' "$(cat "$FAKE_STATE/replicas-logic")" \
      "$([ -n "$saved" ] && printf '"flametickets.chaos/logic-replicas":"%s"' "$saved")" ;;
  *" annotate deployment/flame-logic flametickets.chaos/logic-replicas- "*) rm -f "$FAKE_STATE/saved-logic" ;;
  *" annotate deployment/flame-logic flametickets.chaos/logic-replicas="*)
    printf '%s' "$7" | sed 's/.*=//' > "$FAKE_STATE/saved-logic" ;;
  *" get pod flame-chaos-probe -o jsonpath={.status.phase} "*)
    cat "$FAKE_STATE/probe-phase" 2>/dev/null || echo Succeeded ;;
  *" get deployment/flame-frontend -o jsonpath={.spec.replicas} "*) echo 2 ;;
  *" get deployment/flame-frontend -o jsonpath={.spec.template.spec.containers[0].image} "*) echo 'flame-frontend:0123456789ab' ;;
  *" get deployment/flame-frontend -o json "*)
    echo '{"spec":{"template":{"spec":{"containers":[{"env":[{"name":"LOGIC_ATTEMPT_TIMEOUT_MS","value":"1500"}]}]}}}}' ;;
  *" get nodes -o json "*) cat "$FAKE_STATE/nodes.json" 2>/dev/null || echo '{"items":[]}' ;;
  *" get pods -l app=flame-logic -o json "*) pods logic ;;
  *" get pods -l app=flame-frontend -o json "*) pods frontend ;;
  *" get pods -l app=postgres -o json "*) pods postgres ;;
  *" delete pod flame-chaos-probe "*) : ;;
  *" delete pod "*)
    for app in logic frontend postgres; do
      sed -i "s/\\"$7-uid\\"/\\"$7-uid-2\\"/" "$FAKE_STATE/pods-$app.items"
      case "$7" in postgres-*) : ;; *) sed -i "s/\\"$7\\"/\\"$7-new\\"/" "$FAKE_STATE/pods-$app.items" ;; esac
    done ;;
  *" scale deployment/flame-logic --replicas=0 "*)
    echo 0 > "$FAKE_STATE/replicas-logic"
    cp "$FAKE_STATE/pods-logic.items" "$FAKE_STATE/pods-logic.saved"; : > "$FAKE_STATE/pods-logic.items" ;;
  *" scale deployment/flame-logic --replicas="*)
    printf '%s' "$7" | sed 's/.*=//' > "$FAKE_STATE/replicas-logic"
    cp "$FAKE_STATE/pods-logic.saved" "$FAKE_STATE/pods-logic.items" ;;
  *" logs pod/flame-chaos-probe "*) echo '{"logic":"blocked:ETIMEDOUT","postgres":"blocked:ETIMEDOUT"}' ;;
  *" exec deployment/flame-frontend "*) echo '{"logic":"reachable","postgres":"blocked:ETIMEDOUT"}' ;;
  *" port-forward "*)
    echo "Forwarding from 127.0.0.1:$FAKE_ADMIN_PORT -> 8081"
    exec sleep 30 ;;
esac
exit 0
`;

export interface StandInKubectl {
  bin: string;
  state: string;
  /** Every recorded call without the "kubectl --context kind-flame -n flame" prefix. */
  calls(): Promise<string[]>;
  clearCalls(): Promise<void>;
  /** Back to the cluster as made (no call recorded): a test starts from it, not from another's. */
  reset(): Promise<void>;
  cleanup(): Promise<void>;
}

/** Two Ready pods per Deployment and postgres-0, logic at two replicas, no call recorded. */
async function writeFreshState(state: string): Promise<void> {
  await rm(state, { recursive: true, force: true });
  await mkdir(state);
  const items = (pods: object[]) => pods.map((p) => JSON.stringify(p)).join(',');
  await writeFile(
    join(state, 'pods-logic.items'),
    items([pod('flame-logic-a', 'flame-logic'), pod('flame-logic-b', 'flame-logic')]),
  );
  await writeFile(
    join(state, 'pods-frontend.items'),
    items([pod('flame-frontend-a', 'flame-frontend'), pod('flame-frontend-b', 'flame-frontend')]),
  );
  await writeFile(join(state, 'pods-postgres.items'), items([pod('postgres-0', 'postgres')]));
  await writeFile(join(state, 'replicas-logic'), '2');
}

/** Writes the stand-in into a temp folder, its state fresh (see writeFreshState). */
export async function makeStandInKubectl(): Promise<StandInKubectl> {
  const root = await mkdtemp(join(tmpdir(), 'flame-chaos-stand-in-'));
  const bin = join(root, 'bin');
  const state = join(root, 'state');
  await mkdir(bin);
  await writeFile(join(bin, 'kubectl'), SCRIPT);
  await chmod(join(bin, 'kubectl'), 0o755);
  await symlink(process.execPath, join(bin, 'node'));
  await writeFreshState(state);
  const log = join(state, 'calls.log');
  return {
    bin,
    state,
    calls: async () =>
      (await readFile(log, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => line.replace(/^kubectl --context kind-flame -n flame /, '')),
    clearCalls: () => writeFile(log, ''),
    reset: () => writeFreshState(state),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
