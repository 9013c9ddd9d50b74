// The digest that decides whether a deploy rolls out a service: it follows what the image is
// built from, with Docker's own .dockerignore rules, and nothing else.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import {
  buildContextFiles,
  contextSources,
  imageInputsDigest,
} from '../../src/kube/build-context.ts';

const DOCKERFILE = `FROM node:24.21.0-slim@sha256:${'a'.repeat(64)} AS build
COPY package.json ./
COPY src/app ./src/app
FROM node:24.21.0-slim@sha256:${'a'.repeat(64)}
COPY --from=build /app/dist ./dist
CMD ["node", "dist/main.js"]
`;

/** A small repository: a Dockerfile, a .dockerignore and a few sources. */
async function project(
  t: TestContext,
): Promise<{ root: string; write: (path: string, text: string) => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'flame-context-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  };
  await write('Dockerfile', DOCKERFILE);
  await write('.dockerignore', '*\n!package.json\n!src/app/\n!src/other/\n**/*.test.ts\n');
  await write('package.json', '{"type":"module"}');
  await write('src/app/main.ts', 'export {};');
  await write('src/app/main.test.ts', 'test');
  await write('src/other/tool.ts', 'export {};');
  await write('src/chaos/runner.ts', 'export {};');
  await write('node_modules/x/index.js', '');
  return { root, write };
}

describe('build context and image inputs digest', () => {
  it('lists the files Docker would send, .dockerignore applied', async (t) => {
    const { root } = await project(t);
    assert.deepEqual(await buildContextFiles(root), [
      'package.json',
      'src/app/main.ts',
      'src/other/tool.ts',
    ]);
  });

  it('reads the COPY sources that come from the context, not from another stage', () => {
    assert.deepEqual(contextSources(DOCKERFILE), ['package.json', 'src/app']);
  });

  it('is the same for the same inputs, and changes with a copied file or the Dockerfile', async (t) => {
    const { root, write } = await project(t);
    const first = await imageInputsDigest(root, 'Dockerfile');
    assert.match(first, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await imageInputsDigest(root, 'Dockerfile'), first);
    await write('src/app/main.ts', 'export const changed = 1;');
    const changed = await imageInputsDigest(root, 'Dockerfile');
    assert.notEqual(changed, first);
    await write('Dockerfile', DOCKERFILE.replace('a'.repeat(64), 'b'.repeat(64)));
    assert.notEqual(await imageInputsDigest(root, 'Dockerfile'), changed, 'a new base image');
  });

  it('changes with the base image given instead of the default in the Dockerfile (FLAME_NODE_BASE_IMAGE)', async (t) => {
    const { root } = await project(t);
    const pinned = await imageInputsDigest(root, 'Dockerfile');
    const mirror = await imageInputsDigest(root, 'Dockerfile', 'mirror.example/node:24-slim');
    const standIn = await imageInputsDigest(root, 'Dockerfile', 'flame-standin/node:24-slim');
    assert.equal(new Set([pinned, mirror, standIn]).size, 3);
    assert.equal(
      await imageInputsDigest(root, 'Dockerfile', 'mirror.example/node:24-slim'),
      mirror,
    );
  });

  it('ignores files the image is not built from: ignored, or in the context but never copied', async (t) => {
    const { root, write } = await project(t);
    const first = await imageInputsDigest(root, 'Dockerfile');
    await write('src/app/main.test.ts', 'a changed test');
    await write('src/other/tool.ts', 'export const changed = 1;');
    await write('src/chaos/runner.ts', 'export const changed = 1;');
    await write('README.md', 'new');
    assert.equal(await imageInputsDigest(root, 'Dockerfile'), first);
  });
});
