// What a target can do is data: a scenario names the control it needs, the target has it or
// says why not; and what the runner reads from the frontend's metrics.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SCENARIOS } from '../../src/chaos/scenarios/index.ts';
import { parseFrontendCounts } from '../../src/chaos/targets/observe.ts';
import { missingControl } from '../../src/chaos/targets/target.ts';

describe('target controls', () => {
  const noDatabase = {
    name: 'local' as const,
    controls: {},
    whyNot: { database: 'DATABASE_URL names a PostgreSQL this runner did not start' },
  };

  it('skips a scenario whose control the target lacks, with the target’s reason', () => {
    assert.equal(missingControl(noDatabase, 'database'), noDatabase.whyNot.database);
    assert.equal(
      missingControl(noDatabase, 'frontend'),
      'the local target has no frontend control',
    );
    assert.equal(missingControl(noDatabase, undefined), undefined);
  });

  it('runs it when the control is there', () => {
    const database = { kill: async () => {}, restore: async () => 0, reachable: async () => true };
    assert.equal(missingControl({ ...noDatabase, controls: { database } }, 'database'), undefined);
  });

  it('names its needs and its restarts as data: only frontend-kill and the node scenarios restart the frontend', () => {
    const needs = Object.fromEntries(
      SCENARIOS.filter((s) => s.needs).map((s) => [s.name, s.needs]),
    );
    assert.deepEqual(needs, {
      'db-down': 'database',
      'frontend-kill': 'frontend',
      'network-policy': 'networkPolicy',
      'node-freeze': 'nodes',
      'node-loss': 'nodes',
      'node-partition': 'nodes',
      'replica-freeze': 'freezeReplica',
      'replica-partition': 'partitionReplica',
      'db-freeze': 'freezeDatabase',
    });
    assert.deepEqual(
      SCENARIOS.filter((s) => s.restartsFrontend).map((s) => s.name),
      ['frontend-kill', 'node-freeze', 'node-loss', 'node-partition'],
    );
  });
});

describe("reading the frontend's counts from its /metrics text", () => {
  const text = [
    '# HELP flame_logic_failed_attempts_total Attempts to reach logic that failed.',
    '# TYPE flame_logic_failed_attempts_total counter',
    'flame_logic_failed_attempts_total{call="orders",cause="status_5xx"} 12',
    'flame_logic_failed_attempts_total{call="orders",cause="timeout"} 3',
    'flame_logic_failed_attempts_total{call="orders",cause="network"} 1',
    'flame_logic_failed_attempts_total{call="other",cause="status_5xx"} 50',
    '# TYPE flame_logic_retries_total counter',
    'flame_logic_retries_total 20',
  ].join('\n');

  it('counts failed attempts on orders only, by cause, and every retry', () => {
    assert.deepEqual(parseFrontendCounts(text), {
      failedOrderAttempts: { status5xx: 12, timeout: 3, network: 1 },
      retries: 20,
    });
  });

  it('refuses metrics without the failed-attempt counter rather than reading zeros', () => {
    assert.throws(
      () => parseFrontendCounts('flame_logic_retries_total 20'),
      /no flame_logic_failed/,
    );
  });
});
