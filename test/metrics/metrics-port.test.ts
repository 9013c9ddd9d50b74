import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadFrontendConfig } from '../../src/frontend/config.ts';
import { loadLogicConfig } from '../../src/logic/config.ts';
import { ConfigError } from '../../src/shared/config.ts';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

describe('METRICS_PORT', () => {
  it('is off when unset, so a service started by hand or by a test binds nothing extra', () => {
    assert.equal(loadLogicConfig({ DATABASE_URL }).METRICS_PORT, undefined);
    assert.equal(loadFrontendConfig({}).METRICS_PORT, undefined);
  });

  it('takes a port, 0 meaning a free one', () => {
    assert.equal(loadLogicConfig({ DATABASE_URL, METRICS_PORT: '9465' }).METRICS_PORT, 9465);
    assert.equal(loadFrontendConfig({ METRICS_PORT: '0' }).METRICS_PORT, 0);
  });

  it('refuses what is not a port, naming the variable', () => {
    for (const bad of ['abc', '70000', '-1', '1.5']) {
      assert.throws(
        () => loadFrontendConfig({ METRICS_PORT: bad }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.problems.length === 1 &&
          /^METRICS_PORT must be/.test(error.problems[0] ?? ''),
        bad,
      );
    }
  });
});
