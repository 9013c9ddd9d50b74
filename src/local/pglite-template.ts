import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/**
 * Bump when what goes into the template changes (initdb flags, anything run before the
 * dump). The application's schema is not in it: logic migrates at start, as on a real server.
 */
const TEMPLATE_RECIPE = 'initdb-defaults-1';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Ignored by git, and the usual place for tools' caches. */
export const DEFAULT_TEMPLATE_CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'flametickets');

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = join(dirname(entry), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** One file per PGlite version and recipe, so an upgrade never loads an old cluster. */
export function templatePath(cacheDir = DEFAULT_TEMPLATE_CACHE): string {
  const version = pgliteVersion();
  const key = createHash('sha256').update(`${version}\0${TEMPLATE_RECIPE}`).digest('hex');
  return join(cacheDir, `pglite-${version}-${key.slice(0, 12)}.tar`);
}

/**
 * The data folder of a freshly initialised cluster, as an uncompressed tar. initdb is most of
 * a fresh PGlite's start-up (about 10 s on a busy 2-core machine); it runs once per PGlite
 * version, and every later fresh database loads the result instead. Parallel processes may
 * both build it; each writes a temp file and renames it, so readers never see half a file.
 */
export async function loadTemplate(cacheDir = DEFAULT_TEMPLATE_CACHE): Promise<Blob> {
  const path = templatePath(cacheDir);
  const cached = await readFile(path).catch(() => undefined);
  if (cached) return new Blob([cached as Uint8Array<ArrayBuffer>]);
  const db = await PGlite.create('memory://');
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer());
  } finally {
    await db.close();
  }
  await mkdir(cacheDir, { recursive: true });
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return new Blob([bytes]);
}

/**
 * The same cluster unpacked in a folder, for data folders on disk: copying files is several
 * times faster than a PGlite start that unpacks the tar. Made once, next to the tar.
 */
export async function loadTemplateFolder(cacheDir = DEFAULT_TEMPLATE_CACHE): Promise<string> {
  const folder = templatePath(cacheDir).replace(/\.tar$/, '');
  if (existsSync(join(folder, 'PG_VERSION'))) return folder;
  // On a fresh clone the cache folder does not exist yet, and NodeFS makes only its last level.
  await mkdir(cacheDir, { recursive: true });
  const temp = `${folder}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    const db = await PGlite.create({
      fs: new NodeFS(temp),
      loadDataDir: await loadTemplate(cacheDir),
    });
    await db.close();
    await rename(temp, folder);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Another process made it first: theirs is as good.
    if (!existsSync(join(folder, 'PG_VERSION'))) throw error;
  }
  return folder;
}
