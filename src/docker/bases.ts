import { announce, type ImageBuilder, POSTGRES_IMAGE } from '../kube/index.ts';
import { type DockerEngine, DockerError } from './engine.ts';
import type { StandInSettings } from './settings.ts';
import { ensureNodeBase, ensurePostgresBase, pinnedNodeImage, STAND_IN } from './stand-in-bases.ts';

/** The base images a container run uses, and whether they are the pinned ones. */
export interface Bases {
  /** For --build-arg NODE_IMAGE; undefined → the Dockerfiles' pinned default. */
  nodeBaseImage: string | undefined;
  /** user: uid:gid, when not the manifest's. */
  postgres: { image: string; user?: string };
  /** One line per stand-in made or used, for the user and the report. */
  notes: string[];
}

/**
 * The pinned images when this engine has them or a registry gives them; stand-ins made here
 * (stand-in-bases.ts) when no registry answers. `nodeBaseImage` set by the user wins.
 */
export async function resolveBases(
  engine: DockerEngine,
  builder: ImageBuilder,
  nodeBaseImage: string | undefined,
  where: StandInSettings,
): Promise<Bases> {
  const notes: string[] = [];
  let node = nodeBaseImage;
  if (!node) {
    const pinned = await pinnedNodeImage();
    const missing = await unavailable(engine, pinned.ref);
    if (missing) {
      node = await ensureNodeBase(builder, pinned.version, where);
      notes.push(
        `Node base: ${node}, a stand-in made here (Debian bookworm + Node ${pinned.version} from the npm registry), because ${pinned.ref} could not be pulled: ${missing}`,
      );
    }
  }
  const pinnedPostgres = `${POSTGRES_IMAGE.tag}@${POSTGRES_IMAGE.digest}`;
  const missing = await unavailable(engine, pinnedPostgres);
  if (!missing) return { nodeBaseImage: node, postgres: { image: pinnedPostgres }, notes };
  const image = await ensurePostgresBase(builder, where);
  notes.push(
    `Postgres: ${image}, a stand-in made here (Debian's PostgreSQL 15, uid ${STAND_IN.postgresUid}, the official image's environment), because ${pinnedPostgres} could not be pulled: ${missing}`,
  );
  const uid = STAND_IN.postgresUid;
  return { nodeBaseImage: node, postgres: { image, user: `${uid}:${uid}` }, notes };
}

/** undefined when `ref` is here or was just pulled; else why it could not be pulled. */
async function unavailable(engine: DockerEngine, ref: string): Promise<string | undefined> {
  if (
    await engine.run(['image', 'inspect', ref]).then(
      () => true,
      () => false,
    )
  )
    return undefined;
  announce(`Pulling ${ref}`);
  try {
    await engine.run(['pull', ref], { timeoutMs: 300_000 });
    return undefined;
  } catch (error) {
    if (!(error instanceof DockerError)) throw error;
    return error.stderr.trim().split('\n').pop() || error.message;
  }
}
