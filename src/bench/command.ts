import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { PROFILES } from './profiles.ts';
import { BENCH_GROUPS, type BenchGroup, runBench } from './suite.ts';
import { renderReport } from './table.ts';

/**
 * `npm run bench`: starts the shop locally (embedded database, or the real PostgreSQL in
 * DATABASE_URL), measures it with autocannon side by side with bare reference servers, and
 * prints a table. Returns the exit code.
 */
export async function benchCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      only: { type: 'string' },
    },
  });
  const only = parseGroups(values.only);
  if (only instanceof Error) {
    process.stderr.write(`bench: ${only.message}\n`);
    return 2;
  }
  // Piped into `head`, a closed stderr must not kill the run before it stops its children.
  process.stderr.on('error', () => undefined);
  process.stdout.on('error', () => undefined);

  const started = Date.now();
  const report = await runBench({
    profile: PROFILES[values.quick ? 'quick' : 'full'],
    only,
    databaseUrl: env.DATABASE_URL,
    progress: (line) =>
      process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`),
  });
  process.stdout.write(`\n${renderReport(report)}\n`);
  if (values.json) {
    await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`figures written to ${values.json}\n`);
  }
  return 0;
}

/** `--only catalog,faults`: a subset of the groups, for working on one figure at a time. */
function parseGroups(text: string | undefined): BenchGroup[] | undefined | Error {
  if (text === undefined) return undefined;
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(BENCH_GROUPS as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    return new Error(
      `unknown group ${unknown.join(', ') || '(none)'}; choose from ${BENCH_GROUPS.join(', ')}`,
    );
  }
  return names as BenchGroup[];
}
