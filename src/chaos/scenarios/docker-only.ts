// Scenarios only a container engine can run: a logic replica frozen (docker pause: alive but
// silent, a gray failure) or cut off the network (docker network disconnect), and postgres
// frozen. Evidence from outside the container: Docker's own view of it (state, id, pid,
// networks) and which process answered the buyers (x-served-by, x-boot-id).

import { TimedOut, waitFor } from '../../shared/wait.ts';
import {
  type Check,
  type ContainerView,
  confirmsOrder,
  evidenceCheck,
  type ProofInput,
  type RequestRecord,
} from '../core/model.ts';
import { withRetry } from '../retry.ts';
import type { ContainerFault, ControlName } from '../targets/target.ts';
import { purchasesInFault } from './footprint.ts';
import type { Scenario, ScenarioContext } from './scenario.ts';

const DOCKER_ONLY = ['docker'] as const;

const show = (v: ContainerView | undefined) =>
  v
    ? `${v.name} ${v.id.slice(0, 12)} ${v.status} pid ${v.pid} on [${v.networks.join(', ')}]`
    : '(not seen)';

function faultOf(c: ScenarioContext, control: ControlName): ContainerFault {
  const fault = c.target.controls[control] as ContainerFault | undefined;
  if (!fault) throw new Error(`this target has no ${control} control`);
  return fault;
}

/** Purchases the replica must have answered before it is frozen or cut off. */
const SERVED_BEFORE = { purchases: 3, withinMs: 30_000 } as const;

/**
 * Waits until the buyers have seen the replica answer purchases: its silence during the fault
 * means something only if it was serving. Behind Docker's DNS alias the frontend's keep-alive
 * connections can all sit on the other replica for a while. Past the bound the fault goes in
 * anyway, and the proof's "answered purchases before" check makes the scenario inconclusive.
 */
async function replicaServing(c: ScenarioContext, control: ControlName): Promise<void> {
  const { name } = faultOf(c, control);
  await waitFor(
    `the buyers to see ${name} answer ${SERVED_BEFORE.purchases} purchases`,
    async () => c.purchasesAnsweredBy(name) >= SERVED_BEFORE.purchases || undefined,
    { timeoutMs: SERVED_BEFORE.withinMs, delayMs: 250 },
  ).catch((error: unknown) => {
    if (!(error instanceof TimedOut)) throw error;
  });
}

/** Applies a container fault, recording Docker's view before and right after. */
async function inject(c: ScenarioContext, control: ControlName, replica: boolean) {
  const identities = replica ? await c.target.logicIdentities() : [];
  c.observed.replicasBefore = identities;
  const fault = faultOf(c, control);
  const during = await fault.inject();
  const from = c.now();
  const bootId = identities.find((r) => r.replica === during.name)?.bootId;
  // `before` is the same container as `during` but for the fault: the id and pid it keeps.
  c.observed.container = {
    name: during.name,
    bootId,
    before: during,
    during,
    after: undefined,
    from,
    to: undefined,
  };
}

async function undo(c: ScenarioContext, control: ControlName, replica: boolean) {
  const observed = c.observed.container;
  if (observed) observed.to = c.now();
  const { seconds, after } = await faultOf(c, control).undo();
  c.observed.replacementReadySeconds = seconds;
  if (observed) observed.after = after;
  if (replica) c.observed.replicasAfter = await c.target.logicIdentities();
}

/**
 * A replica under a container fault: Docker showed the fault, the replica had answered
 * purchases before and answered none while it held, it is the same process after (same
 * container id, and the boot id it reports to the runner on /healthz: not restarted), and
 * the other replica confirmed purchases. Not "it served buyers again after": the frontend's
 * keep-alive connections, opened to the other replica during the fault, may carry all the
 * load after it (Docker's DNS alias spreads new connections only).
 */
function replicaFaultProof(shown: string, held: (v: ContainerView) => boolean) {
  return ({ requests, observed }: ProofInput): Check[] => {
    const o = observed.container;
    // Purchases only: a catalog read can be the frontend's cached answer, which keeps the
    // x-served-by of the replica that gave it.
    const by = (name: string | undefined) =>
      requests.filter((r) => r.kind === 'purchase' && r.servedBy === name);
    const during = o
      ? by(o.name).filter((r) => r.start >= o.from && r.end <= (o.to ?? Infinity))
      : [];
    const before = o ? by(o.name).filter((r) => r.end < o.from) : [];
    const sameProcess =
      o?.after !== undefined &&
      o.after.id === o.during.id &&
      o.bootId !== undefined &&
      (observed.replicasAfter ?? []).some((r) => r.replica === o.name && r.bootId === o.bootId);
    const others = new Set(
      purchasesInFault(requests)
        .filter((r) => confirmsOrder(r) && r.servedBy && r.servedBy !== o?.name)
        .map((r) => r.servedBy),
    );
    const name = o?.name ?? '(none)';
    return [
      evidenceCheck(
        `Docker showed the replica ${shown}`,
        o !== undefined && held(o.during),
        show(o?.during),
      ),
      // Its silence during the fault means something only if it was serving before.
      evidenceCheck(
        'the replica had answered purchases before the fault',
        before.length > 0,
        `${before.length} purchases answered by ${name} before`,
      ),
      evidenceCheck(
        'the replica answered no purchase while it held',
        o !== undefined && during.length === 0,
        `${during.length} purchases answered by ${name}, sent and received within the fault`,
      ),
      evidenceCheck(
        'the same process after: not restarted (container id and boot id kept)',
        sameProcess,
        `${show(o?.during)} → ${show(o?.after)}; boot id ${o?.bootId ?? '(unknown)'}`,
      ),
      evidenceCheck(
        'the other replica confirmed purchases during the fault',
        others.size > 0,
        others.size > 0 ? `served by ${[...others].sort().join(', ')}` : 'none',
      ),
    ];
  };
}

export const REPLICA_FREEZE: Scenario = {
  name: 'replica-freeze',
  summary: 'one logic container frozen (docker pause): alive but silent, then thawed',
  targets: DOCKER_ONLY,
  needs: 'freezeReplica',
  threshold: { kind: 'successRate', min: 0.99 },
  buysDuringFault: true,
  ready: (c) => replicaServing(c, 'freezeReplica'),
  inject: (c) => inject(c, 'freezeReplica', true),
  rollback: (c) => undo(c, 'freezeReplica', true),
  proof: replicaFaultProof('paused', (v) => v.status === 'paused'),
};

export const REPLICA_PARTITION: Scenario = {
  name: 'replica-partition',
  summary: 'one logic container cut off its network (docker network disconnect), then back',
  targets: DOCKER_ONLY,
  needs: 'partitionReplica',
  threshold: { kind: 'successRate', min: 0.99 },
  buysDuringFault: true,
  ready: (c) => replicaServing(c, 'partitionReplica'),
  inject: (c) => inject(c, 'partitionReplica', true),
  rollback: (c) => undo(c, 'partitionReplica', true),
  proof: replicaFaultProof(
    'running with no network',
    (v) => v.status === 'running' && v.networks.length === 0,
  ),
};

/**
 * Requests that felt the freeze: sent while postgres was paused and answered 503, or held
 * until the thaw (sent in the first half of the pause, answered only after the unpause began).
 * On a freeze that never happened, nothing waits for seconds.
 */
export function heldByFreeze(requests: readonly RequestRecord[], from: number, to: number) {
  const sent = requests.filter((r) => r.start >= from && r.start < to);
  return {
    unavailable: sent.filter((r) => r.status === 503).length,
    held: sent.filter((r) => r.start <= from + (to - from) / 2 && r.end >= to && r.status !== 503)
      .length,
  };
}

/**
 * db-freeze: a paused postgres makes requests wait, not fail. Users get slow answers or a
 * friendly 503 within the frontend's deadline, the catalog is served (stale if need be), and
 * nothing is lost. Evidence from outside: Docker showed it paused and the same process after,
 * the runner's own probe got no answer during the freeze and one after, the buyers waited.
 */
export function databaseFreezeProof({ requests, observed }: ProofInput): Check[] {
  const o = observed.container;
  const probes = observed.database;
  const felt = o ? heldByFreeze(requests, o.from, o.to ?? o.from) : { unavailable: 0, held: 0 };
  const before = observed.ordersBeforeKill ?? [];
  const kept = new Set(observed.ordersAfterRestore ?? []);
  const lost = before.filter((id) => !kept.has(id));
  return [
    evidenceCheck('Docker showed postgres paused', o?.during.status === 'paused', show(o?.during)),
    evidenceCheck(
      'the same postgres process after (container id and pid kept)',
      o?.after !== undefined &&
        o.after.id === o.during.id &&
        o.after.pid === o.during.pid &&
        o.after.status === 'running',
      `${show(o?.during)} → ${show(o?.after)}`,
    ),
    evidenceCheck(
      'the runner’s probe got no answer during the freeze and one after the thaw',
      probes?.duringFault === false && probes.afterRestore === true,
      `during: ${answered(probes?.duringFault)}; after the thaw: ${answered(probes?.afterRestore)}`,
    ),
    evidenceCheck(
      'buyers felt the freeze: answered 503, or held until the thaw',
      felt.unavailable + felt.held > 0,
      `${felt.unavailable} requests sent during the freeze answered 503, ${felt.held} held until the thaw`,
    ),
    evidenceCheck(
      'the database held orders when it was frozen',
      before.length > 0,
      `${before.length} orders of this scenario's stock before the freeze`,
    ),
    {
      name: 'orders kept across the freeze',
      // Nothing read before (no freeze ran) is for the evidence check above to show.
      ok:
        (observed.ordersAfterRestore !== undefined || observed.ordersBeforeKill === undefined) &&
        lost.length === 0,
      detail:
        observed.ordersAfterRestore === undefined
          ? 'the orders could not be read after the thaw'
          : `${before.length - lost.length} of ${before.length} orders present before the freeze are there after it`,
    },
  ];
}

const answered = (seen: boolean | undefined) =>
  seen === undefined ? 'not probed' : seen ? 'answered' : 'no answer within 1 s';

export const DB_FREEZE: Scenario = {
  name: 'db-freeze',
  summary: 'postgres frozen (docker pause): requests wait, then it thaws',
  targets: DOCKER_ONLY,
  needs: 'freezeDatabase',
  threshold: { kind: 'friendly503', mayWait: true },
  buysDuringFault: false,
  async inject(c) {
    const database = c.target.controls.database;
    c.observed.ordersBeforeKill = (await c.target.audit(c.stockIds())).orders.map((o) => o.id);
    await inject(c, 'freezeDatabase', false);
    c.observed.database = {
      duringFault: database ? await database.reachable() : undefined,
      afterRestore: undefined,
    };
  },
  async rollback(c) {
    await undo(c, 'freezeDatabase', false);
    const database = c.target.controls.database;
    if (c.observed.database && database) {
      // The probe's first connection after the thaw may still time out on a busy machine.
      const up = async () => {
        if (!(await database.reachable())) throw new Error('not reachable yet');
        return true;
      };
      c.observed.database.afterRestore = await withRetry(
        'the database after the thaw',
        10_000,
        up,
      ).catch(() => false);
    }
    c.observed.ordersAfterRestore = (await c.target.audit(c.stockIds())).orders.map((o) => o.id);
  },
  proof: databaseFreezeProof,
};
