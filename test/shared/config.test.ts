import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { loadFrontendConfig } from '../../src/frontend/config.ts';
import { loadLogicConfig } from '../../src/logic/config.ts';
import { ConfigError } from '../../src/shared/config.ts';

describe('loadLogicConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const config = loadLogicConfig({ DATABASE_URL: 'postgres://u:p@db:5432/flame' });
    assert.equal(config.PORT, 8081);
    assert.equal(config.FAULT_RATE, 0);
    assert.equal(config.FAULT_MODE, 'before');
    assert.equal(config.ADMIN_TOKEN, undefined);
    assert.ok(Object.isFrozen(config));
  });

  it('lists every problem at once', () => {
    try {
      loadLogicConfig({
        PORT: 'abc',
        FAULT_RATE: '1.5',
        FAULT_MODE: 'sometimes',
        ADMIN_TOKEN: 'short',
      });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join('\n');
      assert.match(text, /^PORT must be a number \(got "abc"\)$/m);
      assert.match(text, /^DATABASE_URL is required/m);
      assert.match(text, /^FAULT_RATE must be between 0 and 1 \(got "1.5"\)$/m);
      assert.match(text, /^FAULT_MODE must be one of before, after-commit, delay/m);
      assert.match(text, /^ADMIN_TOKEN must be at least 16 characters/m);
      assert.equal(error.problems.length, 5);
    }
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadLogicConfig({ DATABASE_URL: 'postgres://h/db', PORT: '' }).PORT, 8081);
  });
});

describe('loadFrontendConfig', () => {
  it('splits LOGIC_URL into a list of replicas', () => {
    const config = loadFrontendConfig({ LOGIC_URL: 'http://a:8081, http://b:8082' });
    assert.deepEqual(config.LOGIC_URL, ['http://a:8081', 'http://b:8082']);
    assert.equal(config.PORT, 8080);
  });

  it('rejects a LOGIC_URL entry that is not a URL', () => {
    assert.throws(
      () => loadFrontendConfig({ LOGIC_URL: 'http://a:8081,not a url' }),
      /LOGIC_URL\.1 must be a URL/,
    );
  });
});

describe('a service started with bad config', () => {
  it('exits 1 and prints every problem', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'src/logic/main.ts'], {
      env: { ...process.env, DATABASE_URL: '', PORT: '70000', FAULT_RATE: 'lots' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(child.status, 1);
    assert.match(child.stderr, /PORT must be 0-65535 \(got "70000"\)/);
    assert.match(child.stderr, /FAULT_RATE must be a number \(got "lots"\)/);
    assert.match(child.stderr, /DATABASE_URL is required/);
  });
});
