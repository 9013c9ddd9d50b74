import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { frontendEnvSchema } from '../frontend/config.ts';
import { parseChaosArgs, USAGE, UsageError, wantsHelp } from './options.ts';
import { createProgress } from './progress.ts';
import { summaryTable } from './report/summary-table.ts';
import { writeReport } from './report/write-report.ts';
import { exitCodeFor, runChaos } from './run-chaos.ts';
import { createLocalTarget } from './targets/local-target.ts';
import type { ChaosTarget } from './targets/target.ts';

/** `npm run chaos`: parse, bring up (local) or reach (kind) the shop, run, report. */
export async function chaosCommand(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let options: ReturnType<typeof parseChaosArgs>;
  try {
    options = parseChaosArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`✖ chaos: ${error.message}\n\n${USAGE}\n`);
    return 1;
  }
  const reportDir = resolve(options.reportDir);
  await mkdir(reportDir, { recursive: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`Chaos run on the ${options.target} target · seed ${options.seed} · report in ${reportDir}`);

  let target: ChaosTarget;
  let attemptTimeoutMs: number;
  const systemLog = createWriteStream(join(reportDir, 'system.log'));
  try {
    if (options.target === 'local') {
      const databaseUrl = process.env.DATABASE_URL || undefined;
      say(
        databaseUrl
          ? 'Starting the shop locally on your PostgreSQL (DATABASE_URL): db-down will be skipped.'
          : 'Starting the shop locally: embedded database, two logic replicas, frontend…',
      );
      attemptTimeoutMs = frontendEnvSchema.shape.LOGIC_ATTEMPT_TIMEOUT_MS.parse(
        process.env.LOGIC_ATTEMPT_TIMEOUT_MS,
      );
      target = await createLocalTarget({
        databaseUrl,
        logicReplicas: 2,
        onLine: (label, line) => systemLog.write(`${label} ${line}\n`),
      });
      say(`Shop is up at ${target.shopUrl} (service logs: ${join(reportDir, 'system.log')})`);
    } else {
      const { connectKindTarget } = await import('./kind/kind-target.ts');
      const kind = await connectKindTarget({ log: (line) => systemLog.write(`${line}\n`) });
      target = kind.target;
      attemptTimeoutMs = kind.attemptTimeoutMs;
      say(`Reaching the shop at ${target.shopUrl} through kubectl context ${kind.context}`);
    }
  } catch (error) {
    systemLog.end();
    process.stderr.write(
      `✖ chaos: could not reach the ${options.target} target: ${(error as Error).message}\n`,
    );
    return 1;
  }

  const stopOnSignal = async () => {
    process.stderr.write('\nInterrupted: stopping what the run started…\n');
    await target.close().catch(() => undefined);
    process.exit(130);
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const { report, log, audits } = await runChaos(
      options,
      target,
      createProgress(),
      attemptTimeoutMs,
    );
    const written = await writeReport(reportDir, report, log.requests, audits);
    say(`\n${summaryTable(report)}\n`);
    say(`Report: ${written.html}\n        ${written.json}`);
    return exitCodeFor(report);
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await target.close();
    systemLog.end();
  }
}
