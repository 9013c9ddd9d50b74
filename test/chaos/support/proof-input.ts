// Crafted inputs for the scenarios' proofs: what the runner, the frontend and the buyers saw.
import { EMPTY_INVARIANTS } from '../../../src/chaos/core/invariants.ts';
import type {
  Check,
  FrontendCounts,
  Observations,
  ProofInput,
  ReplicaIdentity,
  RequestRecord,
} from '../../../src/chaos/core/model.ts';

export const ATTEMPT_TIMEOUT_MS = 2000;

export function proofInput(fields: Partial<ProofInput> & { observed: Observations }): ProofInput {
  return {
    requests: [],
    invariants: { ...EMPTY_INVARIANTS },
    attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
    ...fields,
  };
}

/** The frontend's counts as read from its metrics. */
export function frontend(status5xx: number, timeout = 0, retries = status5xx): FrontendCounts {
  return { failedOrderAttempts: { status5xx, timeout, network: 0 }, retries };
}

/** What the frontend saw between the inject and the end: `seen` on top of a start of 100. */
export function frontendSaw(
  seen: FrontendCounts,
): Pick<Observations, 'frontendAtInject' | 'frontendAtEnd'> {
  const start = frontend(100, 100, 100);
  return {
    frontendAtInject: start,
    frontendAtEnd: {
      failedOrderAttempts: {
        status5xx: 100 + seen.failedOrderAttempts.status5xx,
        timeout: 100 + seen.failedOrderAttempts.timeout,
        network: 100 + seen.failedOrderAttempts.network,
      },
      retries: 100 + seen.retries,
    },
  };
}

export const replica = (name: string, bootId: string): ReplicaIdentity => ({
  replica: name,
  bootId,
  pid: 1000,
  startedAt: '2026-01-01T00:00:00.000Z',
});

/** The checks that failed, by name: what a test asserts on. */
export const failedNames = (checks: readonly Check[]) =>
  checks.filter((c) => !c.ok).map((c) => c.name);

/** Every failed check of a proof is an evidence check: the scenario is inconclusive. */
export const allEvidence = (checks: readonly Check[]) =>
  checks.filter((c) => !c.ok).every((c) => c.evidence === true);

export type { RequestRecord };
