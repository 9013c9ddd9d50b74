import { type Check, evidenceCheck, type ProofInput } from '../core/model.ts';
import { withRetry } from '../retry.ts';
import type { DatabaseControl } from '../targets/target.ts';
import { BOTH_TARGETS, type Scenario } from './scenario.ts';

/** How long the runner's probe may take to see the database go down, or come back. */
const PROBE_WITHIN_MS = 10_000;

/**
 * Probes until the database is `wanted` (reachable or not), for at most PROBE_WITHIN_MS: a
 * pod being deleted may take its grace period to stop, and one probe can time out on a busy
 * machine. Returns what was seen last.
 */
async function probeUntil(database: DatabaseControl, wanted: boolean): Promise<boolean> {
  const what = `the runner's probe to see the database ${wanted ? 'up' : 'down'}`;
  try {
    await withRetry(what, PROBE_WITHIN_MS, async () => {
      if ((await database.reachable()) !== wanted) throw new Error(`not ${wanted ? 'up' : 'down'}`);
    });
    return wanted;
  } catch {
    return !wanted;
  }
}

const reach = (seen: boolean | undefined) =>
  seen === undefined ? 'not probed' : seen ? 'reachable' : 'unreachable';

/**
 * db-down: the runner's own probe connection saw the database unreachable while it was
 * killed and reachable after the restore (catches a kill that never happens), it held
 * orders when it was killed, and every one of them is there after the restart.
 */
export function databaseDownProof({ observed }: ProofInput): Check[] {
  const before = observed.ordersBeforeKill ?? [];
  const kept = new Set(observed.ordersAfterRestore ?? []);
  const lost = before.filter((id) => !kept.has(id));
  const probes = observed.database;
  return [
    evidenceCheck(
      'the runner’s probe saw the database down during the fault and back after',
      probes?.duringFault === false && probes.afterRestore === true,
      `during the fault: ${reach(probes?.duringFault)}; after the restore: ${reach(probes?.afterRestore)}`,
    ),
    evidenceCheck(
      'the database held orders when it was killed',
      before.length > 0,
      `${before.length} orders of this scenario's stock before the kill`,
    ),
    {
      name: 'data kept across the restart',
      ok: observed.ordersAfterRestore !== undefined && lost.length === 0,
      detail:
        observed.ordersAfterRestore === undefined
          ? 'the orders could not be read after the restore'
          : `${before.length - lost.length} of ${before.length} orders present before the kill are there after it`,
    },
  ];
}

export const DB_DOWN: Scenario = {
  name: 'db-down',
  summary: 'the database process / postgres pod killed, then back with its data',
  targets: BOTH_TARGETS,
  needs: 'database',
  threshold: { kind: 'friendly503' },
  buysDuringFault: false,
  async inject(c) {
    const database = c.target.controls.database;
    if (!database) throw new Error('this target cannot kill its database');
    c.observed.ordersBeforeKill = (await c.target.audit(c.stockIds())).orders.map((o) => o.id);
    await database.kill();
    c.observed.database = {
      duringFault: await probeUntil(database, false),
      afterRestore: undefined,
    };
  },
  async rollback(c) {
    const database = c.target.controls.database;
    if (!database) return;
    c.observed.replacementReadySeconds = await database.restore();
    const afterRestore = await probeUntil(database, true);
    c.observed.database = { duringFault: c.observed.database?.duringFault, afterRestore };
    c.observed.ordersAfterRestore = (await c.target.audit(c.stockIds())).orders.map((o) => o.id);
  },
  proof: databaseDownProof,
};
