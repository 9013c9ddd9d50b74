import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, openSync } from 'node:fs';
import { cp, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Flushes a file or folder to disk (a rename is only durable once its folder is). */
function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Flushes a fresh copy of the cluster (about a thousand files). One syncfs() of its file system
 * (coreutils `sync -f`, Linux) is several times faster than a thousand fsyncs; elsewhere, or if
 * it fails, every file is flushed one by one.
 */
async function flushCopy(path: string): Promise<void> {
  const synced = spawnSync('sync', ['-f', path], { stdio: 'ignore' });
  if (synced.error || synced.status !== 0) await fsyncTree(path);
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
 * Makes sure `dataDir` holds a cluster, copying the template folder the first time (and says
 * which it was: a fresh copy of the template, or the cluster already there). The copy
 * is made next to it, flushed, then renamed into place: a crash half-way leaves no folder
 * that looks like a database but is not one.
 */
export async function ensureDataDir(
  dataDir: string,
  templateFolder: () => Promise<string>,
): Promise<'template' | 'existing'> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return 'existing';
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
  await cp(await templateFolder(), unpacking, { recursive: true });
  await flushCopy(unpacking);
  await rename(unpacking, dataDir);
  fsyncPath(dirname(dataDir));
  return 'template';
}
