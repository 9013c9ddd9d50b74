import { ProcessOutput, type ProcessPromise, $ as zx } from 'zx';

/**
 * The kind scripts' shell: zx's `$` with zx's own defaults on. zx echoes each command
 * (`$ kind create cluster --name flame`, on stderr) and what it prints, and a non-zero exit
 * rejects with zx's ProcessOutput (exit code, stderr). A command whose exit code the caller
 * reads is `.nothrow()`.
 *
 *   await $`kind delete cluster --name ${name}`
 */
export const $ = zx({ verbose: true });

/**
 * The same shell for a look-up whose output is data, or a secret: neither the command nor its
 * output is printed. (`.quiet()` on a started command comes too late for zx's echo.)
 *
 *   const json = await $quiet`kubectl ${kubectlArgs(target, ['get', 'pods', '-o', 'json'])}`
 */
export const $quiet = zx({ quiet: true });

/** A failure whose message is the whole story for the user: printed without a stack trace. */
export class ScriptError extends Error {
  override name = 'ScriptError';
}

/** Prints one step of what a script does, between zx's echoed commands. */
export function announce(message: string): void {
  process.stdout.write(`▸ ${message}\n`);
}

/**
 * Awaits one command and returns its stdout; zx's failure becomes a ScriptError that names the
 * step, the command, its exit code and its stderr (zx's own message has no step and no command).
 */
export async function step(what: string, command: ProcessPromise): Promise<string> {
  try {
    return (await command).stdout;
  } catch (error) {
    if (!(error instanceof ProcessOutput)) throw error;
    const detail = error.stderr.trim() || error.stdout.trim();
    throw new ScriptError(
      `${what} failed: \`${command.cmd}\` exited ${error.exitCode}${detail ? `\n${indent(detail)}` : ''}`,
    );
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

/** The body of every script: runs `body`, prints a failure's message and exits 1. */
export async function runScript(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    process.exitCode = 1;
    // A ScriptError says it all; zx's ProcessOutput carries the command's stderr.
    if (error instanceof ScriptError || error instanceof ProcessOutput) {
      process.stderr.write(`✖ ${name}: ${(error as Error).message}\n`);
      return;
    }
    process.stderr.write(`✖ ${name}: ${String(error)}\n`);
    if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  }
}
