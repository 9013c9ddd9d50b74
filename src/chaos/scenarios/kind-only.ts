// Scenarios only a cluster can run: the local shop has one frontend process and no network
// policies.
import { type Check, evidenceCheck, type ProofInput } from '../core/model.ts';
import { KIND_ONLY, type Scenario } from './scenario.ts';

/** frontend-kill: a frontend pod was deleted and a replacement became ready. */
export function frontendKilledProof({ observed }: ProofInput): Check[] {
  return [
    evidenceCheck(
      'a frontend pod was deleted and replaced',
      observed.killedFrontend !== undefined && observed.replacementReadySeconds !== undefined,
      `${observed.killedFrontend ?? '(nothing deleted)'}; replacement ready after ${observed.replacementReadySeconds ?? '—'} s`,
    ),
  ];
}

/** network-policy: each connection the probe tried was blocked or reachable as expected. */
export function networkPolicyProof({ observed }: ProofInput): Check[] {
  const probes = observed.probes ?? [];
  return [
    evidenceCheck('the probe tried its connections', probes.length > 0, `${probes.length} tried`),
    ...probes.map((probe) => ({
      name: `${probe.from} → ${probe.to} ${probe.expected}`,
      ok: probe.seen === probe.expected,
      detail: `seen: ${probe.seen}${probe.detail ? ` (${probe.detail})` : ''}`,
    })),
  ];
}

export const FRONTEND_KILL: Scenario = {
  name: 'frontend-kill',
  summary: 'one frontend pod deleted (grace 0)',
  targets: KIND_ONLY,
  needs: 'frontend',
  restartsFrontend: true,
  threshold: { kind: 'successRate', min: 0.99 },
  buysDuringFault: true,
  async inject(c) {
    const frontend = c.target.controls.frontend;
    if (!frontend) throw new Error('this target cannot delete a frontend');
    c.observed.killedFrontend = await frontend.kill();
  },
  async rollback(c) {
    const frontend = c.target.controls.frontend;
    if (frontend) c.observed.replacementReadySeconds = await frontend.restore();
  },
  proof: frontendKilledProof,
};

export const NETWORK_POLICY: Scenario = {
  name: 'network-policy',
  summary:
    'a probe pod without the frontend’s labels tries logic :8081 and postgres :5432; the frontend tries both',
  targets: KIND_ONLY,
  needs: 'networkPolicy',
  threshold: { kind: 'probe' },
  buysDuringFault: false,
  async inject(c) {
    const policy = c.target.controls.networkPolicy;
    if (!policy) throw new Error('this target has no network policies to probe');
    c.observed.probes = await policy.probe();
  },
  rollback: async () => {},
  proof: networkPolicyProof,
};
