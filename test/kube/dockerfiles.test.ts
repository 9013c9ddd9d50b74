import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { describe, it } from 'node:test';
import { type Copy, DockerfileParser, From } from 'dockerfile-ast';
import { build } from 'esbuild';
import { CONSOLE_BUILD } from '../../scripts/lib/console-build.ts';
import { FRONTEND_DEFAULT_PORT } from '../../src/frontend/config.ts';
import { buildContextFiles } from '../../src/kube/build-context.ts';
import { LOGIC_DEFAULT_PORT } from '../../src/logic/config.ts';
import { REPO_ROOT } from './support/stand-ins.ts';

interface Stage {
  from: string;
  name: string | undefined;
  instructions: { op: string; args: string }[];
}

/** The stages of a Dockerfile and their instructions, as dockerfile-ast parses them. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const op = instruction.getKeyword();
    // Flags (--from=build) then the arguments as written, continuations joined.
    const flags = 'getFlags' in instruction ? (instruction as Copy).getFlags().map(String) : [];
    const args = [...flags, (instruction.getArgumentsContent() ?? '').replace(/\s+/g, ' ')]
      .join(' ')
      .trim();
    if (instruction instanceof From) {
      stages.push({
        from: args.split(' ')[0] ?? '',
        name: instruction.getBuildStage() ?? undefined,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push({ op, args });
    }
  }
  return stages;
}

const SERVICES = [
  {
    service: 'frontend',
    other: 'logic',
    port: FRONTEND_DEFAULT_PORT,
    manifestFile: '40-frontend.yaml',
    extra: ['web'],
    // The console's bundle, built in the build stage from the chaos load generator's sources.
    built: ['/app/web/console.js'],
  },
  {
    service: 'logic',
    other: 'frontend',
    port: LOGIC_DEFAULT_PORT,
    manifestFile: '30-logic.yaml',
    extra: [] as string[],
    built: [] as string[],
  },
] as const;

for (const { service, other, port, manifestFile, extra, built } of SERVICES) {
  describe(`Dockerfile.${service}`, async () => {
    const text = await readFile(join(REPO_ROOT, `Dockerfile.${service}`), 'utf8');
    const stages = parseDockerfile(text);
    const nodeImageDefault = /^ARG NODE_IMAGE=(\S+)$/m.exec(text)?.[1];
    // Each RUN as written, its --mount flags included.
    const runs = DockerfileParser.parse(text)
      .getInstructions()
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => i.getTextContent().replace(/\\\n/g, ' '));
    const runtime = stages.at(-1) as Stage;
    const ops = (op: string) => runtime.instructions.filter((i) => i.op === op).map((i) => i.args);

    it('is multi-stage, every stage on NODE_IMAGE, whose default is Node 24 pinned by patch tag and digest', () => {
      assert.ok(stages.length >= 2);
      assert.match(nodeImageDefault ?? '', /^node:24\.\d+\.\d+-slim@sha256:[0-9a-f]{64}$/);
      for (const stage of stages) assert.match(stage.from, /^\$\{NODE_IMAGE\}$/);
    });

    it('gives npm ci the CA and the npmrc as BuildKit secrets only, so neither is in a layer', () => {
      const npmCi = runs.filter((r) => /\bnpm ci\b/.test(r));
      assert.equal(npmCi.length, 2, 'the build and prod-deps stages');
      for (const run of npmCi) {
        assert.match(run, /--mount=type=secret,id=npm_ca\b/);
        assert.match(run, /--mount=type=secret,id=npmrc\b/);
        assert.match(run, /NODE_EXTRA_CA_CERTS=\/run\/secrets\/npm_ca/);
        assert.match(run, /NPM_CONFIG_USERCONFIG=\/run\/secrets\/npmrc/);
      }
      // Neither reaches the image another way: no ENV, ARG or COPY of a CA or an npmrc.
      assert.doesNotMatch(text, /^(ENV|ARG|COPY)\b.*(NODE_EXTRA_CA_CERTS|npmrc|npm_ca)/im);
    });

    it('compiles TypeScript in a build stage, not at run time', () => {
      const build = stages.find((s) =>
        s.instructions.some((i) => i.op === 'RUN' && /\btsc\b/.test(i.args)),
      );
      assert.ok(build && build !== runtime, 'a build stage runs the compiler');
      assert.doesNotMatch(JSON.stringify(runtime), /tsx|\btsc\b|"COPY","args":"src/);
    });

    it('runs as a numeric non-root user', () => {
      const user = ops('USER').at(-1);
      assert.match(user ?? '', /^[1-9]\d*(:\d+)?$/);
    });

    it(`starts with an exec-form node CMD on dist/${service}/main.js, never npm`, () => {
      const cmd = JSON.parse(ops('CMD').at(-1) ?? 'null') as string[] | null;
      assert.ok(Array.isArray(cmd), 'CMD is a JSON array (exec form)');
      assert.equal(cmd[0], 'node');
      assert.equal(cmd.at(-1), `dist/${service}/main.js`);
      assert.ok(
        existsSync(join(REPO_ROOT, 'src', service, 'main.ts')),
        `src/${service}/main.ts exists`,
      );
      assert.deepEqual(ops('ENTRYPOINT'), []);
      assert.doesNotMatch(JSON.stringify(runtime.instructions), /npm (start|run)/);
    });

    it(`ships production dependencies and only the ${service} + shared code it needs`, () => {
      const copies = ops('COPY');
      const fromBuild = copies
        .filter((c) => c.startsWith('--from=build'))
        .map((c) => c.split(/\s+/)[1]);
      assert.deepEqual(fromBuild.sort(), [`/app/dist/${service}`, '/app/dist/shared', ...built]);
      assert.ok(
        copies.some((c) => /^--from=\S+ \/app\/node_modules/.test(c)),
        'node_modules from a stage',
      );
      assert.ok(
        stages.some((s) =>
          s.instructions.some((i) => i.op === 'RUN' && /npm ci .*--omit=dev/.test(i.args)),
        ),
        'production dependencies come from npm ci --omit=dev',
      );
      assert.ok(
        copies.includes('package.json ./'),
        'package.json ("type": "module") is in the runtime',
      );
      for (const folder of extra)
        assert.ok(copies.includes(`${folder} ./${folder}`), `copies ${folder}/`);
      const foreign = [`dist/${other}`, `src/${other}`, ...(service === 'logic' ? ['web'] : [])];
      for (const path of foreign) {
        assert.ok(
          !copies.some((c) => c.split(/\s+/).some((part) => part.includes(path))),
          `no ${path}`,
        );
      }
    });

    it(`exposes the port the code listens on by default (${port}) and the manifests' metrics port`, async () => {
      const manifest = await readFile(join(REPO_ROOT, 'manifests', 'flame', manifestFile), 'utf8');
      const metrics = /name: METRICS_PORT\s+value: "(\d+)"/.exec(manifest)?.[1];
      assert.ok(metrics, `${manifestFile} sets METRICS_PORT`);
      assert.deepEqual(ops('EXPOSE'), [`${port} ${metrics}`]);
    });
  });
}

/** What the console's bundle imports, let into the context for Dockerfile.frontend's build. */
const CONSOLE_SOURCES = ['src/chaos/core', 'src/console'];
const isConsoleSource = (file: string) =>
  CONSOLE_SOURCES.some((source) => file === source || file.startsWith(`${source}/`));

/**
 * Where the COPY lines of `stage` (from the context, not `--from`) before its instruction
 * `until` put each file of the context, and the working directory at `until`.
 */
function contextCopies(stage: Stage, until: number) {
  let workdir = '/';
  const copies: { source: string; into: string; alone: boolean }[] = [];
  for (const { op, args } of stage.instructions.slice(0, until)) {
    if (op === 'WORKDIR') workdir = posix.resolve(workdir, args);
    if (op !== 'COPY' || args.startsWith('--from')) continue;
    const parts = args.split(' ').filter((part) => !part.startsWith('--'));
    const dest = parts.at(-1) ?? '';
    const sources = parts.slice(0, -1).map((p) => p.replace(/^\.\//, '').replace(/\/+$/, ''));
    // A file copied to a path not ending in `/` (and alone) is renamed to it.
    const alone = sources.length === 1 && !dest.endsWith('/');
    for (const source of sources)
      copies.push({ source, into: posix.resolve(workdir, dest), alone });
  }
  /** Where `file` (a path of the context) lands, the last COPY winning, or undefined. */
  const placeOf = (file: string) => {
    let place: string | undefined;
    for (const { source, into, alone } of copies) {
      if (source === '.') place = posix.join(into, file);
      else if (file.startsWith(`${source}/`)) place = posix.join(into, file.slice(source.length));
      else if (file === source) place = alone ? into : posix.join(into, posix.basename(file));
    }
    return place;
  };
  return { workdir, placeOf };
}

describe('the console bundle built in Dockerfile.frontend', async () => {
  const text = await readFile(join(REPO_ROOT, 'Dockerfile.frontend'), 'utf8');

  it('has every source it bundles let into the context and copied, to its own path, before the build stage bundles it', async () => {
    const { metafile } = await build({
      ...CONSOLE_BUILD,
      absWorkingDir: REPO_ROOT,
      write: false,
      metafile: true,
    });
    const ours = Object.keys(metafile.inputs)
      .filter((f) => !f.includes('node_modules/'))
      .sort();
    assert.ok(ours.includes('src/console/main.ts') && ours.includes('web/confirmation.js'));
    const stage = parseDockerfile(text).find((s) => s.name === 'build') as Stage;
    const bundling = stage.instructions.findIndex(
      (i) => i.op === 'RUN' && /\bbuildConsole\(/.test(i.args),
    );
    assert.ok(bundling >= 0, 'the build stage runs buildConsole()');
    const { workdir, placeOf } = contextCopies(stage, bundling);
    const context = new Set(await buildContextFiles(REPO_ROOT));
    const missing = ours.flatMap((file) => [
      ...(context.has(file) ? [] : [`${file}: .dockerignore keeps it out of the context`]),
      ...(placeOf(file) === posix.join(workdir, file)
        ? []
        : [`${file}: no COPY puts it at ${posix.join(workdir, file)} before buildConsole()`]),
    ]);
    assert.deepEqual(missing, []);
  });
});

describe('.dockerignore', async () => {
  const patterns = (await readFile(join(REPO_ROOT, '.dockerignore'), 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('ignores everything but the image inputs', () => {
    assert.equal(patterns[0], '*');
    const allowed = patterns
      .filter((p) => p.startsWith('!'))
      .map((p) => p.slice(1).replace(/\/$/, ''));
    assert.deepEqual(allowed.sort(), [
      'package-lock.json',
      'package.json',
      // The console's build step, which Dockerfile.frontend runs.
      'scripts/lib/console-build.ts',
      ...CONSOLE_SOURCES,
      'src/frontend',
      'src/logic',
      'src/shared',
      'tsconfig.build.json',
      'tsconfig.json',
      'web',
    ]);
  });

  it("sends only the services, their shared code and the web UI (with Docker's matching rules)", async () => {
    const files = await buildContextFiles(REPO_ROOT);
    const tops = [
      ...new Set(
        files.map((f) =>
          f.startsWith('src/') ? f.split('/').slice(0, 2).join('/') : f.split('/')[0],
        ),
      ),
    ];
    assert.deepEqual(tops.sort(), [
      'package-lock.json',
      'package.json',
      'scripts',
      'src/chaos',
      'src/console',
      'src/frontend',
      'src/logic',
      'src/shared',
      'tsconfig.build.json',
      'tsconfig.json',
      'web',
    ]);
    assert.ok(files.includes('src/logic/main.ts') && files.includes('web/index.html'));
    const chaos = files.filter((f) => f.startsWith('src/chaos/'));
    assert.ok(chaos.length > 0);
    for (const file of chaos) {
      assert.ok(isConsoleSource(file), `${file}: only the console bundle's sources of src/chaos`);
    }
    assert.ok(!files.some((f) => f.startsWith('web/console.js')), 'no locally built bundle');
    assert.deepEqual(
      files.filter((f) => f.endsWith('.test.ts')),
      [],
    );
  });

  it('keeps node_modules, .data, reports, tests and .git out even inside let-in folders', () => {
    for (const pattern of [
      '**/node_modules',
      '**/.data',
      '**/reports',
      '**/test',
      '**/*.test.ts',
      '**/.git',
    ]) {
      assert.ok(patterns.includes(pattern), pattern);
    }
  });

  it('lets in everything the Dockerfiles copy from the build context', async () => {
    const allowed = patterns
      .filter((p) => p.startsWith('!'))
      .map((p) => p.slice(1).replace(/\/$/, ''));
    for (const service of ['frontend', 'logic']) {
      const stages = parseDockerfile(
        await readFile(join(REPO_ROOT, `Dockerfile.${service}`), 'utf8'),
      );
      const sources = stages
        .flatMap((s) => s.instructions)
        .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
        .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
      for (const source of sources) {
        const inContext = allowed.some((a) => source === a || source.startsWith(`${a}/`));
        assert.ok(inContext, `${service}: ${source} is in the context`);
      }
    }
  });
});
