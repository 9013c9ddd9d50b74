import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultInjector } from '../../src/logic/faults.ts';

describe('FaultInjector', () => {
  it('hits the same requests for the same seed', () => {
    const draw = () => {
      const faults = new FaultInjector({ rate: 0.3, latencyMs: 0, mode: 'before', seed: 42 });
      return Array.from({ length: 50 }, () => faults.decide().hit);
    };
    assert.deepEqual(draw(), draw());
  });

  it('hits about the configured share of requests', () => {
    const faults = new FaultInjector({ rate: 0.2, latencyMs: 100, mode: 'delay', seed: 7 });
    const decisions = Array.from({ length: 5000 }, () => faults.decide());
    const hits = decisions.filter((d) => d.hit);
    assert.ok(hits.length > 850 && hits.length < 1150, `${hits.length} hits`);
    assert.ok(hits.every((d) => d.latencyMs === 100 && d.mode === 'delay'));
    assert.ok(decisions.filter((d) => !d.hit).every((d) => d.latencyMs === 0));
  });

  it('never hits with rate 0', () => {
    const faults = new FaultInjector();
    assert.ok(Array.from({ length: 1000 }, () => faults.decide()).every((d) => !d.hit));
  });
});

describe('FaultInjector seeds per replica', () => {
  const hits = (replica: string) => {
    const faults = new FaultInjector(
      { rate: 0.5, latencyMs: 0, mode: 'before', seed: 3 },
      {
        replica,
      },
    );
    return Array.from({ length: 64 }, () => faults.decide().hit);
  };

  it('gives each replica its own sequence, the same on every run', () => {
    assert.deepEqual(hits('logic-1'), hits('logic-1'));
    assert.notDeepEqual(hits('logic-1'), hits('logic-2'));
  });
});
