import { homedir } from 'node:os';
import { join } from 'node:path';
import { ScriptError } from '../kube/index.ts';

/**
 * The shop on one Docker engine: names and the published port, read once from the
 * environment. Tests give each run its own project and an ephemeral port.
 */
export interface ContainerSettings {
  /** Prefix of every container, the network and the volume (FLAME_CONTAINERS_PROJECT, flame). */
  project: string;
  /** Host port of the frontend on 127.0.0.1 (FLAME_CONTAINERS_PORT, 8080; 0 → any free one). */
  port: number;
  /** Seconds to wait for each container to be ready (FLAME_CONTAINERS_TIMEOUT_S, 120). */
  readyTimeoutS: number;
  /** Where the stand-in bases come from and are kept (stand-in-bases.ts). */
  standIns: StandInSettings;
}

export interface StandInSettings {
  /** Debian mirror for debootstrap (FLAME_DEBIAN_MIRROR); unset → debootstrap's default. */
  debianMirror: string | undefined;
  /** Downloads kept here: $XDG_CACHE_HOME (default ~/.cache)/flametickets/stand-ins. */
  cacheDir: string;
}

export function loadContainerSettings(env: NodeJS.ProcessEnv = process.env): ContainerSettings {
  const project = env.FLAME_CONTAINERS_PROJECT || 'flame';
  const problems: string[] = [];
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(project)) {
    problems.push(`FLAME_CONTAINERS_PROJECT must be a container name prefix (got ${project})`);
  }
  const port = whole(env.FLAME_CONTAINERS_PORT, 8080, 'FLAME_CONTAINERS_PORT', problems);
  if (port > 65535) problems.push(`FLAME_CONTAINERS_PORT must be 0-65535 (got ${port})`);
  const readyTimeoutS = whole(
    env.FLAME_CONTAINERS_TIMEOUT_S,
    120,
    'FLAME_CONTAINERS_TIMEOUT_S',
    problems,
  );
  if (problems.length > 0) throw new ScriptError(problems.join('\n'));
  const standIns = {
    debianMirror: env.FLAME_DEBIAN_MIRROR || undefined,
    cacheDir: join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'flametickets', 'stand-ins'),
  };
  return Object.freeze({ project, port, readyTimeoutS, standIns });
}

function whole(raw: string | undefined, fallback: number, name: string, problems: string[]) {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    problems.push(`${name} must be a whole number (got ${JSON.stringify(raw)})`);
    return fallback;
  }
  return value;
}

/** The names of one shop's Docker objects. */
export function shopNames(project: string) {
  return {
    network: `${project}-net`,
    volume: `${project}-pgdata`,
    postgres: `${project}-postgres`,
    logic: [`${project}-logic-1`, `${project}-logic-2`] as const,
    frontend: `${project}-frontend`,
  };
}

export type ShopNames = ReturnType<typeof shopNames>;
