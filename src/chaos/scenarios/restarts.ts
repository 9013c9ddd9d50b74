// Scenarios that kill, restart or stop logic processes. Each replica reports a boot id (new
// at every start) on GET /healthz and on every answer (x-boot-id, relayed by the frontend):
// the runner reads it before and after, and the buyers record which process answered them.
import {
  type Check,
  confirmsOrder,
  evidenceCheck,
  type ProofInput,
  type ReplicaIdentity,
} from '../core/model.ts';
import { purchasesInFault } from './footprint.ts';
import { BOTH_TARGETS, type Scenario } from './scenario.ts';

const boots = (replicas: readonly ReplicaIdentity[] | undefined) =>
  new Set((replicas ?? []).map((r) => r.bootId));

const describe = (replicas: readonly ReplicaIdentity[] | undefined) =>
  (replicas ?? []).map((r) => `${r.replica}@${r.bootId}`).join(', ') || '(none seen)';

/**
 * Every process there before was replaced: none of the boot ids seen before is there after,
 * as many replicas serve as before, and the buyers were answered by each new process.
 */
export function replacedChecks({ requests, observed }: ProofInput, what: string): Check[] {
  const before = observed.replicasBefore ?? [];
  const after = observed.replicasAfter ?? [];
  const afterBoots = boots(after);
  const kept = before.filter((r) => afterBoots.has(r.bootId));
  const servedBoots = new Set(requests.map((r) => r.servedBoot));
  const unseen = after.filter((r) => !servedBoots.has(r.bootId));
  return [
    evidenceCheck(
      `every logic replica was ${what} (new boot ids on /healthz)`,
      before.length > 0 && kept.length === 0 && after.length >= before.length,
      kept.length > 0
        ? `same process before and after: ${describe(kept)}`
        : `${describe(before)} → ${describe(after)}`,
    ),
    evidenceCheck(
      'buyers were answered by every new process (x-boot-id)',
      after.length > 0 && unseen.length === 0,
      unseen.length > 0 ? `never seen by a buyer: ${describe(unseen)}` : `${after.length} seen`,
    ),
  ];
}

/**
 * replica-kill: the killed process had served the buyers, answered none of them once killed
 * (its name and boot id never seen again), came back as a new process, and the other
 * replicas confirmed purchases meanwhile. Catches a kill that never happens.
 */
export function killedReplicaProof({ requests, observed }: ProofInput): Check[] {
  const kill = observed.kill;
  const byKilled = requests.filter(
    (r) => kill !== undefined && r.servedBy === kill.replica && r.servedBoot === kill.bootId,
  );
  const before = byKilled.filter((r) => kill && r.start < kill.killedAt).length;
  const afterKill = byKilled.filter((r) => kill && r.start >= kill.killedAt).length;
  const replacement = observed.replicasAfter?.find((r) => r.replica === kill?.replica);
  const others = new Set(
    purchasesInFault(requests)
      .filter((r) => confirmsOrder(r) && r.servedBy && r.servedBy !== kill?.replica)
      .map((r) => r.servedBy),
  );
  const name = kill ? `${kill.replica}@${kill.bootId}` : '(nothing killed)';
  return [
    evidenceCheck(
      'the killed process had served buyers',
      before > 0,
      `${before} answers from ${name} before the kill (x-served-by, x-boot-id)`,
    ),
    evidenceCheck(
      'the killed process answered no buyer after the kill',
      kill !== undefined && afterKill === 0,
      `${afterKill} requests sent after the kill were answered by ${name}`,
    ),
    evidenceCheck(
      'the killed replica came back as a new process',
      kill !== undefined &&
        !boots(observed.replicasAfter).has(kill.bootId) &&
        (observed.replicasAfter?.length ?? 0) >= (observed.replicasBefore?.length ?? 1),
      `${name} → ${replacement ? `${replacement.replica}@${replacement.bootId}` : '(replacement not seen)'}; after: ${describe(observed.replicasAfter)}`,
    ),
    evidenceCheck(
      'the other replicas confirmed purchases during the fault',
      others.size > 0,
      others.size > 0 ? `served by ${[...others].sort().join(', ')}` : 'none',
    ),
  ];
}

export const REPLICA_KILL: Scenario = {
  name: 'replica-kill',
  summary: 'one logic replica killed hard (SIGKILL / pod delete, grace 0)',
  targets: BOTH_TARGETS,
  threshold: { kind: 'successRate', min: 0.999 },
  buysDuringFault: true,
  async inject(c) {
    c.observed.replicasBefore = await c.target.logicIdentities();
    const replica = await c.target.killLogicReplica();
    // After the kill call returned: anything the process answers from now on is a kill that
    // did not happen.
    const bootId = c.observed.replicasBefore.find((r) => r.replica === replica)?.bootId ?? '';
    c.observed.kill = { replica, bootId, killedAt: c.now(), restoreStartedAt: undefined };
  },
  async rollback(c) {
    if (c.observed.kill) c.observed.kill.restoreStartedAt = c.now();
    c.observed.replacementReadySeconds = await c.target.restoreLogicReplica();
    c.observed.replicasAfter = await c.target.logicIdentities();
  },
  proof: killedReplicaProof,
};

export const ROLLING_RESTART: Scenario = {
  name: 'rolling-restart',
  summary: 'every logic replica replaced gracefully, one by one',
  targets: BOTH_TARGETS,
  threshold: { kind: 'successRate', min: 0.999 },
  buysDuringFault: true,
  async inject(c) {
    c.observed.replicasBefore = await c.target.logicIdentities();
    await c.target.rollingRestartLogic();
  },
  async rollback(c) {
    c.observed.replicasAfter = await c.target.logicIdentities();
  },
  proof: (input) => replacedChecks(input, 'replaced'),
};

export const LOGIC_DOWN: Scenario = {
  name: 'logic-down',
  summary: 'all logic replicas gone for a while, then back',
  targets: BOTH_TARGETS,
  threshold: { kind: 'friendly503' },
  buysDuringFault: false,
  async inject(c) {
    c.observed.replicasBefore = await c.target.logicIdentities();
    await c.target.stopAllLogic();
  },
  async rollback(c) {
    c.observed.replacementReadySeconds = await c.target.startAllLogic();
    c.observed.replicasAfter = await c.target.logicIdentities();
  },
  proof: (input) => replacedChecks(input, 'stopped and started again'),
};
