import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { PROFILES } from '../src/bench/profiles.ts';
import { BENCH_GROUPS, type BenchGroup, runBench } from '../src/bench/suite.ts';
import { renderReport } from '../src/bench/table.ts';

/**
 * npm run bench -- [--quick] [--only GROUP,...] [--json FILE]
 * Starts the shop locally (embedded database, or the real PostgreSQL in DATABASE_URL), measures
 * it with autocannon side by side with bare reference servers, and prints a table.
 */
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    only: { type: 'string' },
  },
});

/** `--only catalog,faults`: a subset of the groups, for working on one figure at a time. */
function parseGroups(text: string | undefined): BenchGroup[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(BENCH_GROUPS as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    process.stderr.write(
      `bench: unknown group ${unknown.join(', ') || '(none)'}; choose from ${BENCH_GROUPS.join(', ')}\n`,
    );
    process.exit(2);
  }
  return names as BenchGroup[];
}
const only = parseGroups(values.only);

// Piped into `head`, a closed stderr must not kill the run before it stops its children.
process.stderr.on('error', () => undefined);
process.stdout.on('error', () => undefined);

const profile = PROFILES[values.quick ? 'quick' : 'full'];
const started = Date.now();
const report = await runBench({
  profile,
  only,
  databaseUrl: process.env.DATABASE_URL,
  progress: (line) =>
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`),
});
process.stdout.write(`\n${renderReport(report)}\n`);
if (values.json) {
  await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`figures written to ${values.json}\n`);
}
