import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observations } from '../../../src/chaos/core/model.ts';
import { databaseDownProof } from '../../../src/chaos/scenarios/db-down.ts';
import { allEvidence, failedNames, proofInput } from '../support/proof-input.ts';

describe('db-down proof', () => {
  const honest: Observations = {
    database: { duringFault: false, afterRestore: true },
    ordersBeforeKill: ['o1', 'o2'],
    ordersAfterRestore: ['o1', 'o2', 'o3'],
  };

  it('passes when the probe saw it down, then up, and every order came back', () => {
    assert.deepEqual(failedNames(databaseDownProof(proofInput({ observed: honest }))), []);
  });

  it('catches a database that was never stopped: the runner’s probe still reached it', () => {
    const checks = databaseDownProof(
      proofInput({ observed: { ...honest, database: { duringFault: true, afterRestore: true } } }),
    );
    assert.deepEqual(failedNames(checks), [
      'the runner’s probe saw the database down during the fault and back after',
    ]);
    assert.ok(allEvidence(checks));
  });

  it('catches a database that never came back for the probe', () => {
    const checks = databaseDownProof(
      proofInput({
        observed: { ...honest, database: { duringFault: false, afterRestore: false } },
      }),
    );
    assert.equal(failedNames(checks).length, 1);
  });

  it('fails (not inconclusive) when an order stored before the kill is gone after it', () => {
    const checks = databaseDownProof(
      proofInput({ observed: { ...honest, ordersAfterRestore: ['o2'] } }),
    );
    assert.deepEqual(failedNames(checks), ['data kept across the restart']);
    assert.equal(allEvidence(checks), false);
  });

  it('is inconclusive when the database held no orders of the scenario when killed', () => {
    const checks = databaseDownProof(proofInput({ observed: { ...honest, ordersBeforeKill: [] } }));
    assert.deepEqual(failedNames(checks), ['the database held orders when it was killed']);
  });
});
