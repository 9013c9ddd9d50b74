import { $ } from 'zx';

/** A failure whose message is the whole story for the user: printed without a stack trace. */
export class ScriptError extends Error {
  override name = 'ScriptError';
}

/** Prints one step of what a script does. */
export function say(message: string): void {
  process.stdout.write(`▸ ${message}\n`);
}

export interface RunOptions {
  /** Text fed to the command's stdin (how secrets reach kubectl: never on the command line). */
  input?: string;
  /** Stream the command's output to the terminal instead of capturing it (docker build). */
  stream?: boolean;
  /** Don't print the command line (for read-only look-ups that would only add noise). */
  silent?: boolean;
}

export interface RunResult {
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args…` without a shell in between and never throws; the caller decides. */
export async function tryRun(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  if (!options.silent) process.stdout.write(`  $ ${[cmd, ...args].join(' ')}\n`);
  const output = await $({
    quiet: true,
    nothrow: true,
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.stream ? { stdio: ['pipe', 'inherit', 'inherit'] as const } : {}),
  })`${cmd} ${args}`;
  return {
    ok: output.exitCode === 0,
    exitCode: output.exitCode,
    stdout: output.stdout,
    stderr: output.stderr,
  };
}

/** Runs a command and returns its stdout; a non-zero exit becomes a ScriptError naming `what`. */
export async function run(
  what: string,
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const result = await tryRun(cmd, args, options);
  if (!result.ok) {
    const detail = result.stderr.trim() || result.stdout.trim();
    throw new ScriptError(
      `${what} failed: \`${cmd} ${args.join(' ')}\` exited ${result.exitCode}${detail ? `\n${indent(detail)}` : ''}`,
    );
  }
  return result.stdout;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

/** The body of every script: runs `body`, prints a ScriptError's message and exits 1. */
export async function runScript(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const message = error instanceof ScriptError ? error.message : String(error);
    process.stderr.write(`✖ ${name}: ${message}\n`);
    if (!(error instanceof ScriptError) && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
    process.exitCode = 1;
  }
}
