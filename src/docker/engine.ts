import { execFile } from 'node:child_process';

/**
 * Docker-level actions on containers by name, through the docker CLI: every call has a
 * timeout, so a hung engine (or a container that will not stop) fails the call instead of the
 * run. Generic: the shop's containers and kind's node containers alike.
 *
 *   const engine = dockerEngine();
 *   await engine.pause('flame-logic-1');
 *   (await engine.inspect('flame-logic-1')).paused // true
 */

/** Why a docker call failed: the CLI is missing, it timed out, or it exited non-zero. */
export type DockerErrorCode = 'docker-missing' | 'docker-timeout' | 'docker-failed';

export class DockerError extends Error {
  override name = 'DockerError';
  constructor(
    readonly code: DockerErrorCode,
    readonly args: readonly string[],
    readonly stderr: string,
    message: string,
  ) {
    super(message);
  }
}

export interface EngineOptions {
  /** The docker executable (default `docker` on PATH). */
  command?: string;
  /** Each call's limit (default 30 s). */
  timeoutMs?: number;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** A container as Docker sees it: identity and state, read by `docker inspect`. */
export interface ContainerState {
  name: string;
  /** Full container id: a replacement has a new one. */
  id: string;
  /** created, running, paused, restarting, removing, exited or dead. */
  status: string;
  running: boolean;
  paused: boolean;
  /** The main process's pid on the host; 0 when not running. */
  pid: number;
  /** When the current process started (ISO); a restart changes it. */
  startedAt: string;
  restartCount: number;
  exitCode: number;
  /** Address on each network the container is attached to, by network name. */
  ips: Record<string, string>;
}

export interface DockerEngine {
  /** Runs `docker <args>` and returns its stdout; `env` is added to docker's environment. */
  run(args: readonly string[], options?: RunOptions): Promise<string>;
  pause(name: string): Promise<void>;
  unpause(name: string): Promise<void>;
  kill(name: string, signal?: string): Promise<void>;
  /** `docker stop -t <graceS>`: SIGTERM, then SIGKILL after the grace. */
  stop(name: string, graceS?: number): Promise<void>;
  start(name: string): Promise<void>;
  disconnect(network: string, name: string): Promise<void>;
  /** Connects again, with the network aliases the container had. */
  connect(network: string, name: string, aliases?: readonly string[]): Promise<void>;
  inspect(name: string): Promise<ContainerState>;
  /** inspect, or undefined when no container has that name. */
  find(name: string): Promise<ContainerState | undefined>;
}

export function dockerEngine(options: EngineOptions = {}): DockerEngine {
  const command = options.command ?? 'docker';
  const defaultTimeout = options.timeoutMs ?? 30_000;
  const run = (args: readonly string[], options: RunOptions = {}) =>
    runDocker(command, args, options.timeoutMs ?? defaultTimeout, options.env);
  const inspect = async (name: string) => parseInspect(await run(['inspect', name]));
  return {
    run,
    pause: async (name) => void (await run(['pause', name])),
    unpause: async (name) => void (await run(['unpause', name])),
    kill: async (name, signal = 'KILL') => void (await run(['kill', '--signal', signal, name])),
    // The engine waits graceS before SIGKILL; the call's limit leaves room for that wait.
    stop: async (name, graceS = 10) =>
      void (await run(['stop', '-t', String(graceS), name], {
        timeoutMs: defaultTimeout + graceS * 1000,
      })),
    start: async (name) => void (await run(['start', name])),
    disconnect: async (network, name) => void (await run(['network', 'disconnect', network, name])),
    connect: async (network, name, aliases = []) =>
      void (await run([
        'network',
        'connect',
        ...aliases.flatMap((alias) => ['--alias', alias]),
        network,
        name,
      ])),
    inspect,
    find: async (name) => {
      try {
        return await inspect(name);
      } catch (error) {
        if (error instanceof DockerError && /no such (object|container)/i.test(error.stderr)) {
          return undefined;
        }
        throw error;
      }
    },
  };
}

function runDocker(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  env: Record<string, string> | undefined,
): Promise<string> {
  const shown = `docker ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        ...(env ? { env: { ...process.env, ...env } } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          return reject(new DockerError('docker-missing', args, '', `${command} is not on PATH`));
        }
        if (error.killed) {
          const message = `\`${shown}\` did not finish within ${timeoutMs} ms`;
          return reject(new DockerError('docker-timeout', args, stderr, message));
        }
        const detail = stderr.trim() || stdout.trim();
        return reject(
          new DockerError('docker-failed', args, stderr, `\`${shown}\` failed: ${detail}`),
        );
      },
    );
  });
}

interface RawInspect {
  Id: string;
  Name: string;
  RestartCount: number;
  State: {
    Status: string;
    Running: boolean;
    Paused: boolean;
    Pid: number;
    StartedAt: string;
    ExitCode: number;
  };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> | null };
}

/** `docker inspect`'s JSON (an array of one) as a ContainerState. */
export function parseInspect(json: string): ContainerState {
  const [raw] = JSON.parse(json) as RawInspect[];
  if (!raw) throw new DockerError('docker-failed', ['inspect'], '', 'docker inspect printed []');
  const ips: Record<string, string> = {};
  for (const [network, settings] of Object.entries(raw.NetworkSettings.Networks ?? {})) {
    if (settings.IPAddress) ips[network] = settings.IPAddress;
  }
  return {
    name: raw.Name.replace(/^\//, ''),
    id: raw.Id,
    status: raw.State.Status,
    running: raw.State.Running,
    paused: raw.State.Paused,
    pid: raw.State.Pid,
    startedAt: raw.State.StartedAt,
    restartCount: raw.RestartCount,
    exitCode: raw.State.ExitCode,
    ips,
  };
}
