import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { PROFILES } from '../src/bench/profiles.ts';
import { runBench } from '../src/bench/suite.ts';
import { renderReport } from '../src/bench/table.ts';

/**
 * npm run bench -- [--quick] [--json FILE]
 * Starts the shop locally (embedded database, or the real PostgreSQL in DATABASE_URL), measures
 * it with autocannon side by side with bare reference servers, and prints a table.
 */
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

// Piped into `head`, a closed stderr must not kill the run before it stops its children.
process.stderr.on('error', () => undefined);
process.stdout.on('error', () => undefined);

const profile = PROFILES[values.quick ? 'quick' : 'full'];
const started = Date.now();
const report = await runBench({
  profile,
  databaseUrl: process.env.DATABASE_URL,
  progress: (line) =>
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`),
});
process.stdout.write(`\n${renderReport(report)}\n`);
if (values.json) {
  await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`figures written to ${values.json}\n`);
}
