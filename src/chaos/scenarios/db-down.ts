import { type Check, evidenceCheck, type ProofInput } from '../model.ts';
import { BOTH_TARGETS, type Scenario } from './scenario.ts';

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
    c.observed.database = { duringFault: await database.reachable(), afterRestore: undefined };
  },
  async rollback(c) {
    const database = c.target.controls.database;
    if (!database) return;
    c.observed.replacementReadySeconds = await database.restore();
    const afterRestore = await database.reachable();
    c.observed.database = { duringFault: c.observed.database?.duringFault, afterRestore };
    c.observed.ordersAfterRestore = (await c.target.audit(c.stockIds())).orders.map((o) => o.id);
  },
  proof: databaseDownProof,
};
