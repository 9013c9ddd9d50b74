/** Debian's psql, run as a person would run it against the embedded database. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';

export function hasPsql(): boolean {
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface PsqlSession {
  child: ChildProcess;
  /** Everything psql printed so far, stdout and stderr. */
  output: () => string;
  /** Types more input, as at the prompt. */
  type: (text: string) => void;
  exited: Promise<number | null>;
}

/** Starts psql on the port; its stdin stays open (a session at the prompt) until end(). */
export function psqlSession(port: number, args: string[] = []): PsqlSession {
  const child = spawn(
    'psql',
    [
      '-X',
      '-w',
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      'postgres',
      ...args,
    ],
    { env: { ...process.env, PGCONNECT_TIMEOUT: '5' }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let text = '';
  child.stdout.on('data', (chunk) => {
    text += chunk;
  });
  child.stderr.on('data', (chunk) => {
    text += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => text, type: (input) => child.stdin.write(input), exited };
}

/** Runs psql to completion with the given input; resolves with its exit code and output. */
export async function psql(
  port: number,
  args: string[],
  input = '',
): Promise<{ code: number | null; output: string }> {
  const session = psqlSession(port, args);
  session.child.stdin?.end(input);
  const code = await session.exited;
  return { code, output: session.output() };
}
