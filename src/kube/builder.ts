import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { which } from 'zx';
import { $quiet } from './shell.ts';

/**
 * How this machine builds the images. The Dockerfiles mount build secrets (`RUN --mount`), so
 * they need BuildKit: Docker's buildx plugin, or the engine's builtin BuildKit that clients
 * before Docker 23 drive with DOCKER_BUILDKIT=1. A client from 23 on without buildx falls back to
 * the legacy builder, which cannot read those lines — that machine has no builder.
 */
export interface ImageBuilder {
  /** The executable, e.g. /usr/bin/docker. */
  command: string;
  /** What `build` is: ['build', '--load', ...] for buildx, ['build'] for the builtin one. */
  build: string[];
  /** Extra environment for the build (DOCKER_BUILDKIT=1 for the builtin BuildKit). */
  env: Record<string, string>;
  /** One line for the user: which client, which BuildKit. */
  describe: string;
}

/** The first client major release whose `docker build` needs buildx for BuildKit. */
const BUILDX_ONLY_FROM = 23;

/**
 * Finds a builder among the `cli` executables on PATH (in PATH order): one with buildx first
 * seen wins; else one old enough to have the builtin BuildKit. Returns the reasons each
 * candidate was refused when none fits.
 */
export async function findImageBuilder(
  cli: 'docker' | 'podman',
): Promise<ImageBuilder | { problems: string[] }> {
  if (cli === 'podman') {
    return { command: 'podman', build: ['build'], env: {}, describe: 'podman build' };
  }
  const problems: string[] = [];
  for (const command of await executables('docker')) {
    const buildx = await $quiet`${command} buildx version`.nothrow();
    if (buildx.ok) {
      // --load so the image reaches the local store even with a docker-container builder, and
      // no provenance attestation, whose manifest (new on every build) `kind load` cannot
      // import from Docker's containerd image store.
      return {
        command,
        build: ['build', '--load', '--provenance=false'],
        env: {},
        describe: `${command} with buildx (${firstLine(buildx.stdout)})`,
      };
    }
    const version = await $quiet`${command} version --format ${'{{.Client.Version}}'}`.nothrow();
    const client = version.stdout.trim();
    const major = Number(/^(\d+)\./.exec(client)?.[1]);
    if (Number.isInteger(major) && major < BUILDX_ONLY_FROM) {
      return {
        command,
        build: ['build'],
        env: { DOCKER_BUILDKIT: '1' },
        describe: `${command} ${client} with the engine's builtin BuildKit (no buildx plugin)`,
      };
    }
    problems.push(
      `${command} (client ${client || 'of unknown version'}) has no buildx plugin ` +
        `(\`${command} buildx version\` failed), and from Docker ${BUILDX_ONLY_FROM} on \`docker build\` ` +
        "without buildx uses the legacy builder, which cannot read the Dockerfiles' `RUN --mount` secrets",
    );
  }
  return { problems };
}

/** Every `name` on PATH, in PATH order, each real file once. */
async function executables(name: string): Promise<string[]> {
  const found = (await which(name, { all: true, nothrow: true })) ?? [];
  const seen = new Set<string>();
  const result: string[] = [];
  for (const path of found) {
    const real = existsSync(path) ? await realpath(path) : path;
    if (seen.has(real)) continue;
    seen.add(real);
    result.push(path);
  }
  return result;
}

/** What to install when no docker client can build. */
export const BUILDX_HINT =
  'install the buildx plugin (Debian/Ubuntu: the docker-buildx or docker-buildx-plugin package; ' +
  'others: https://docs.docker.com/go/buildx/), or put a Docker client older than 23 first on PATH';

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
