// `npm run chaos` flags: what a user types becomes the run's options, or one clear usage error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChaosArgs, UsageError } from '../../src/chaos/options.ts';

describe('npm run chaos -- --scenario', () => {
  it('takes the flag repeated or names separated by commas, and runs them in the fixed order', () => {
    const repeated = parseChaosArgs(['--scenario', 'flaky-logic', '--scenario', 'replica-kill']);
    const commas = parseChaosArgs(['--scenario', 'flaky-logic,replica-kill']);
    assert.deepEqual(commas.scenarios, repeated.scenarios);
    assert.deepEqual(commas.scenarios, ['replica-kill', 'flaky-logic']);
  });

  it('names every unknown scenario in one usage error', () => {
    assert.throws(
      () => parseChaosArgs(['--scenario', 'flaky-logic,nope', '--scenario', 'nada']),
      (error: unknown) =>
        error instanceof UsageError && /unknown scenario\(s\) nope, nada/.test(error.message),
    );
  });

  it('trims the names around the commas', () => {
    const spaced = parseChaosArgs(['--scenario', 'flaky-logic, replica-kill']);
    assert.deepEqual(spaced.scenarios, ['replica-kill', 'flaky-logic']);
    assert.throws(
      () => parseChaosArgs(['--scenario', 'flaky-logic, nope']),
      (error: unknown) =>
        error instanceof UsageError && /unknown scenario\(s\) nope;/.test(error.message),
    );
  });

  it('refuses a --scenario that names nothing, instead of running every scenario', () => {
    for (const empty of ['', ',', ' , ']) {
      assert.throws(
        () => parseChaosArgs(['--scenario', empty]),
        (error: unknown) => error instanceof UsageError && /--scenario/.test(error.message),
        `--scenario '${empty}'`,
      );
    }
  });
});
