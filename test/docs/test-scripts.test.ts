// package.json's test scripts split the test files between them: every `test/**/*.test.ts` runs
// in exactly one of npm test, npm run test:e2e and npm run test:containers, as
// docs/ARCHITECTURE.md ("Tests") says. A file no glob reaches (a top-level test/x.test.ts)
// would never run; one two globs reach would run twice. npm run test:db, which .ci/run runs on
// the embedded engine after npm test ran on PostgreSQL, names exactly the database suites.
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SCRIPTS = ['test', 'test:e2e', 'test:containers'] as const;

const scripts: Record<string, string> = JSON.parse(
  readFileSync(join(ROOT, 'package.json'), 'utf8'),
).scripts;

/** The test paths and globs a `node --test` command line names (the shell strips the quotes). */
function patternsOf(script: string): string[] {
  const words = [...script.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(
    ([, single, double, bare]) => single ?? double ?? bare ?? '',
  );
  return words.filter((word) => word.startsWith('test/'));
}

function filesOf(name: string): Set<string> {
  const script = scripts[name];
  assert.ok(script, `package.json has no "${name}" script`);
  const patterns = patternsOf(script);
  assert.ok(patterns.length > 0, `"${name}" names no test files`);
  return new Set(patterns.flatMap((pattern) => globSync(pattern, { cwd: ROOT })));
}

describe('package.json test scripts', () => {
  it('run every test/**/*.test.ts in exactly one of test, test:e2e and test:containers', () => {
    const runs = Object.fromEntries(SCRIPTS.map((name) => [name, filesOf(name)]));
    const problems = globSync('test/**/*.test.ts', { cwd: ROOT })
      .sort()
      .flatMap((file) => {
        const by = SCRIPTS.filter((name) => runs[name]?.has(file));
        return by.length === 1 ? [] : [`${file}: ${by.length === 0 ? 'no script' : by.join(', ')}`];
      });
    assert.deepEqual(problems, []);
  });

  it('test:db runs exactly the suites that honour DATABASE_URL (the ones that make a test database)', () => {
    // test/support/database.ts's createTestDatabase is the one reader of DATABASE_URL in test/.
    const honour = globSync('test/**/*.test.ts', { cwd: ROOT })
      .filter((file) => /\bcreateTestDatabase\(/.test(readFileSync(join(ROOT, file), 'utf8')))
      .sort();
    const test = filesOf('test');
    assert.deepEqual(
      honour.filter((file) => !test.has(file)),
      [],
      'npm test runs every database suite',
    );
    assert.deepEqual([...filesOf('test:db')].sort(), honour);
  });
});
