import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './support/stand-ins.ts';

/** Every file reachable from `entry` through static and dynamic imports, and the packages used. */
async function importGraph(entry: string): Promise<{ files: Set<string>; packages: Set<string> }> {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.ts')) continue;
    const source = await readFile(file, 'utf8');
    // `import type` is erased at compile time: it needs neither the file nor the package.
    const specifiers = [
      ...source.matchAll(
        /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm,
      ),
      ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ].map((m) => m[1] as string);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const parts = specifier.split('/');
        packages.add(
          specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string),
        );
      }
    }
  }
  return { files, packages };
}

const packageJson = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

for (const [service, other] of [
  ['frontend', 'logic'],
  ['logic', 'frontend'],
] as const) {
  describe(`the ${service} image has everything ${service}/main.ts imports`, async () => {
    const graph = await importGraph(join(REPO_ROOT, 'src', service, 'main.ts'));
    const files = [...graph.files].map((f) => relative(join(REPO_ROOT, 'src'), f));

    it(`imports only src/${service} and src/shared (what Dockerfile.${service} copies), never src/${other} or src/local`, () => {
      assert.ok(files.length > 3, `found the import graph (${files.join(', ')})`);
      const outside = files.filter((f) => !f.startsWith(`${service}/`) && !f.startsWith('shared/'));
      assert.deepEqual(outside, []);
    });

    it('uses only packages listed in dependencies (the image has no devDependencies)', () => {
      const missing = [...graph.packages].filter((p) => !(p in packageJson.dependencies));
      assert.deepEqual(missing, []);
      assert.ok(graph.packages.has('express'), 'found the packages');
    });
  });
}

describe('JSON assets of the logic image', () => {
  it('seed-events.json is imported by the logic code, so tsc emits it into dist/logic', async () => {
    const graph = await importGraph(join(REPO_ROOT, 'src', 'logic', 'main.ts'));
    assert.ok(graph.files.has(join(REPO_ROOT, 'src', 'logic', 'seed-events.json')));
    const tsconfig = JSON.parse(await readFile(join(REPO_ROOT, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { resolveJsonModule?: boolean };
    };
    assert.equal(tsconfig.compilerOptions.resolveJsonModule, true);
  });
});

describe("each Dockerfile's compile step, run here with the same tsconfig", () => {
  for (const service of ['frontend', 'logic'] as const) {
    it(`emits dist/${service}/main.js and dist/shared from src/${service} and src/shared alone`, async (t) => {
      const dockerfile = await readFile(join(REPO_ROOT, `Dockerfile.${service}`), 'utf8');
      const match = /echo '(\{.*\})'\s*\\?\s*>\s*tsconfig\.image\.json/.exec(dockerfile);
      assert.ok(match?.[1], 'the Dockerfile writes tsconfig.image.json');
      const config = JSON.parse(match[1]) as { extends: string; files: string[] };
      const dir = await mkdtemp(join(tmpdir(), `flame-image-tsc-${service}-`));
      t.after(() => rm(dir, { recursive: true, force: true }));
      const out = join(dir, 'dist');
      // The same config, with paths made absolute so it can live outside the repository.
      await writeFile(
        join(dir, 'tsconfig.image.json'),
        JSON.stringify({
          extends: join(REPO_ROOT, config.extends),
          include: [],
          files: config.files.map((f) => join(REPO_ROOT, f)),
          compilerOptions: {
            outDir: out,
            rootDir: join(REPO_ROOT, 'src'),
            typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
            sourceMap: false,
          },
        }),
      );
      const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const result = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.image.json')], {
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stdout + result.stderr);
      const emitted = await readdir(out);
      assert.deepEqual(
        emitted.sort(),
        [service, 'shared'].sort(),
        'nothing but the service and shared',
      );
      assert.ok(existsSync(join(out, service, 'main.js')));
      if (service === 'logic') assert.ok(existsSync(join(out, 'logic', 'seed-events.json')));
    });
  }
});
