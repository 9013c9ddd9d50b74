import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../shared/config.ts';
import { type ChaosEnv, loadChaosEnv } from './env.ts';
import { type ChaosOptions, parseChaosArgs, USAGE, UsageError, wantsHelp } from './options.ts';
import { createProgress } from './progress.ts';
import { summaryTable } from './report/summary-table.ts';
import { writeReport } from './report/write-report.ts';
import { exitCodeFor, runChaos } from './run-chaos.ts';
import type { RunState } from './run-scenario.ts';
import { createLocalTarget } from './targets/local-target.ts';
import type { ChaosTarget } from './targets/target.ts';

type Print = (line: string) => void;

/** `npm run chaos`: parse, bring up (local) or reach (kind) the shop, run, report. */
export async function chaosCommand(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const parsed = parseInputs(argv);
  if (typeof parsed === 'number') return parsed;
  const { options, env } = parsed;
  const reportDir = resolve(options.reportDir);
  await mkdir(reportDir, { recursive: true });
  const print: Print = (line) => process.stdout.write(`${line}\n`);
  print(
    `Chaos run on the ${options.target} target · seed ${options.seed} · report in ${reportDir}`,
  );
  const systemLog = createWriteStream(join(reportDir, 'system.log'));
  let reached: { target: ChaosTarget; attemptTimeoutMs: number };
  try {
    reached = await reachTarget(options, env, print, (line) => systemLog.write(`${line}\n`));
  } catch (error) {
    systemLog.end();
    process.stderr.write(
      `✖ chaos: could not reach the ${options.target} target: ${(error as Error).message}\n`,
    );
    return 1;
  }
  return runAndReport({ options, reportDir, print, systemLog, ...reached });
}

/** The flags and the environment, or the exit code after saying what is wrong with them. */
function parseInputs(argv: readonly string[]): { options: ChaosOptions; env: ChaosEnv } | number {
  try {
    // LOGIC_ATTEMPT_TIMEOUT_MS and DATABASE_URL, with the services' rules (src/chaos/env.ts).
    return { options: parseChaosArgs(argv), env: loadChaosEnv(process.env) };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`✖ chaos: ${error.message}\n`);
      return 1;
    }
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`✖ chaos: ${error.message}\n\n${USAGE}\n`);
    return 1;
  }
}

interface Reached {
  options: ChaosOptions;
  reportDir: string;
  print: Print;
  systemLog: WriteStream;
  target: ChaosTarget;
  attemptTimeoutMs: number;
}

/** Runs every scenario, writes the report, and puts back what the run changed, even on Ctrl-C. */
async function runAndReport(run: Reached): Promise<number> {
  const { target, systemLog, print } = run;
  const state: RunState = { stock: undefined, seatsPerSecond: 0 };
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C while putting things back: stop at once.
    if (interrupted) process.exit(130);
    interrupted = true;
    void putBack(target, state, `Interrupted (${signal})`).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let failed = true;
  try {
    const progress = createProgress();
    const result = await runChaos(run.options, target, progress, run.attemptTimeoutMs, state);
    const { report, log, audits } = result;
    const written = await writeReport(run.reportDir, report, log.requests, audits);
    print(`\n${summaryTable(report)}\n`);
    print(`Report: ${written.html}\n        ${written.json}`);
    failed = false;
    return exitCodeFor(report);
  } finally {
    if (!interrupted) {
      // After a failing step say what was put back; after a whole run, log it quietly.
      const lines = await putBack(target, state, failed ? 'The run stopped' : undefined);
      for (const line of lines) systemLog.write(`restored: ${line}\n`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    systemLog.end();
  }
}

async function reachTarget(
  options: ChaosOptions,
  env: ChaosEnv,
  print: Print,
  log: (line: string) => void,
): Promise<{ target: ChaosTarget; attemptTimeoutMs: number }> {
  if (options.target === 'local') {
    print(
      env.databaseUrl
        ? 'Starting the shop locally on your PostgreSQL (DATABASE_URL): db-down will be skipped.'
        : `Starting the shop locally: embedded database${options.dataDir ? ` in ${options.dataDir}` : ''}, two logic replicas, frontend…`,
    );
    const target = await createLocalTarget({
      databaseUrl: env.databaseUrl,
      logicReplicas: 2,
      dataDir: options.dataDir ? resolve(options.dataDir) : undefined,
      frontendEnv: { LOGIC_ATTEMPT_TIMEOUT_MS: String(env.attemptTimeoutMs) },
      onLine: (label, line) => log(`${label} ${line}`),
    });
    print(`Shop is up at ${target.shopUrl} (service logs in system.log)`);
    return { target, attemptTimeoutMs: env.attemptTimeoutMs };
  }
  if (options.target === 'docker') {
    const { connectDockerTarget } = await import('./targets/docker-target.ts');
    const docker = await connectDockerTarget({ log });
    print(`Reaching the shop in containers at ${docker.target.shopUrl}`);
    return docker;
  }
  const { connectKindTarget } = await import('./kind/kind-target.ts');
  const kind = await connectKindTarget({ log });
  print(`Reaching the shop at ${kind.target.shopUrl} through kubectl context ${kind.context}`);
  return { target: kind.target, attemptTimeoutMs: kind.attemptTimeoutMs };
}

/**
 * Puts back what the run changed: archives the stock of a scenario cut short (best effort,
 * bounded: its logic may be gone), then closes the target — the kind target restores faults,
 * logic's scale and the probe; the local target stops every process it started. With `why`,
 * says on stderr what it restored.
 */
async function putBack(target: ChaosTarget, state: RunState, why?: string): Promise<string[]> {
  const tell = (line: string) => (why ? process.stderr.write(`  ↺ ${line}\n`) : true);
  if (why) process.stderr.write(`\n${why}: putting back what the run changed…\n`);
  const lines: string[] = [];
  const stock = state.stock;
  if (stock) {
    const ids = [...stock.large, ...stock.small].map((e) => e.id);
    const archived = await Promise.race([
      target.archiveEvents(ids).then(
        () => `archived the unfinished scenario's events ${stock.prefix}*`,
        (error: Error) => `could not archive ${stock.prefix}*: ${error.message}`,
      ),
      sleep(10_000, `could not archive ${stock.prefix}* within 10 s`, { ref: false }),
    ]);
    lines.push(archived);
    tell(archived);
  }
  try {
    for (const line of await target.close()) {
      lines.push(line);
      tell(line);
    }
  } catch (error) {
    const line = `could not put everything back: ${(error as Error).message}`;
    lines.push(line);
    tell(line);
  }
  return lines;
}
