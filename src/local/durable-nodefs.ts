import { fsyncSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

type PostgresModOptions = Parameters<NodeFS['init']>[1];
interface NodeStream {
  nfd?: number;
}

/**
 * PGlite's on-disk filesystem with a real fsync. PGlite mounts the data folder through
 * Emscripten's NODEFS, which has no fsync operation: Postgres's fsync() then succeeds without
 * touching the disk (and fdatasync() is a no-op in every Emscripten filesystem). This adds
 * fsync to NODEFS, so a commit run with fsync on and `wal_sync_method=fsync` reaches the disk
 * before it is acknowledged. `syncs` counts the calls, so a test can see them happen.
 */
export class DurableNodeFS extends NodeFS {
  syncs = 0;

  override async init(pg: PGlite, opts: PostgresModOptions) {
    const { emscriptenOpts } = await super.init(pg, opts);
    const addFsync = (mod: { FS: { filesystems: { NODEFS: unknown } } }) => {
      const nodefs = mod.FS.filesystems.NODEFS as {
        stream_ops: Record<string, unknown>;
      };
      nodefs.stream_ops.fsync = (stream: NodeStream) => {
        if (stream.nfd !== undefined) fsyncSync(stream.nfd);
        this.syncs += 1;
        return 0;
      };
    };
    return {
      emscriptenOpts: {
        ...emscriptenOpts,
        preRun: [...(emscriptenOpts.preRun ?? []), addFsync as (mod: unknown) => void],
      } as typeof emscriptenOpts,
    };
  }
}
