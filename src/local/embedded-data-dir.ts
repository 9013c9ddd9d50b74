import { closeSync, existsSync, fsyncSync, openSync } from 'node:fs';
import { readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/** Flushes a file or folder to disk (a rename is only durable once its folder is). */
function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function fsyncTree(path: string): Promise<void> {
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await fsyncTree(child);
    else if (entry.isFile()) fsyncPath(child);
  }
  fsyncPath(path);
}

/**
 * Makes sure `dataDir` holds a cluster, unpacking the template the first time. The cluster is
 * unpacked next to it, flushed, then renamed into place: a crash half-way leaves no folder
 * that looks like a database but is not one.
 */
export async function ensureDataDir(dataDir: string, template: () => Promise<Blob>): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  if (existsSync(dataDir)) {
    if (!(await stat(dataDir)).isDirectory() || (await readdir(dataDir)).length > 0) {
      throw new Error(
        `${dataDir} exists and is not a PGlite data folder (no PG_VERSION); move it away or pick another DATA_DIR`,
      );
    }
    await rmdir(dataDir);
  }
  const unpacking = `${dataDir}.unpacking-${process.pid}`;
  await rm(unpacking, { recursive: true, force: true });
  const db = await PGlite.create({ fs: new NodeFS(unpacking), loadDataDir: await template() });
  await db.close();
  await fsyncTree(unpacking);
  await rename(unpacking, dataDir);
  fsyncPath(dirname(dataDir));
}
