import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseVersion, versionAtLeast } from '../../scripts/lib/tools.ts';
import { FRONTEND_DEFAULT_PORT } from '../../src/frontend/config.ts';
import { LOGIC_DEFAULT_PORT } from '../../src/logic/config.ts';
import { REPO_ROOT } from './support/stand-ins.ts';

interface Stage {
  from: string;
  name: string | undefined;
  instructions: { op: string; args: string }[];
}

/** Splits a Dockerfile into stages of instructions (comments and line continuations handled). */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      const [from = '', as, name] = args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

const SERVICES = [
  { service: 'frontend', other: 'logic', port: FRONTEND_DEFAULT_PORT, extra: ['web'] },
  { service: 'logic', other: 'frontend', port: LOGIC_DEFAULT_PORT, extra: [] as string[] },
] as const;

for (const { service, other, port, extra } of SERVICES) {
  describe(`Dockerfile.${service}`, async () => {
    const stages = parseDockerfile(
      await readFile(join(REPO_ROOT, `Dockerfile.${service}`), 'utf8'),
    );
    const runtime = stages.at(-1) as Stage;
    const ops = (op: string) => runtime.instructions.filter((i) => i.op === op).map((i) => i.args);

    it('is multi-stage, every stage on a Node 24 image pinned to a version', () => {
      assert.ok(stages.length >= 2);
      for (const stage of stages)
        assert.match(stage.from, /^node:24\.\d+\.\d+(-[a-z]+)?$/, stage.from);
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
      assert.deepEqual(fromBuild.sort(), [`/app/dist/${service}`, '/app/dist/shared']);
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

    it(`exposes the port the code listens on by default (${port})`, () => {
      assert.deepEqual(ops('EXPOSE'), [String(port)]);
    });
  });
}

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
      'src',
      'tsconfig.build.json',
      'tsconfig.json',
      'web',
    ]);
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

type Step = {
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  if?: string;
  name?: string;
};
type Job = {
  needs?: string | string[];
  services?: Record<string, { image: string }>;
  env?: Record<string, string>;
  steps: Step[];
};

describe('GitHub Actions workflow (.github/workflows/ci.yml)', async () => {
  const workflow = parse(
    await readFile(join(REPO_ROOT, '.github', 'workflows', 'ci.yml'), 'utf8'),
  ) as {
    jobs: Record<string, Job>;
  };
  const packageJson = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const runs = (job: Job) => job.steps.flatMap((s) => (s.run ? [s.run] : []));
  const { test, kind } = workflow.jobs;

  it('calls only npm scripts that exist', () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      for (const run of runs(job)) {
        for (const match of run.matchAll(/npm run ([\w:-]+)/g)) {
          const script = match[1] ?? '';
          assert.ok(
            script in packageJson.scripts,
            `job ${name}: npm run ${script} is not in package.json`,
          );
        }
      }
    }
  });

  it('test job: Node 24, PostgreSQL service, npm ci then npm run check with DATABASE_URL and CI', () => {
    assert.ok(test);
    const setupNode = test.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    assert.equal(String(setupNode?.with?.['node-version']), '24');
    assert.match(test.services?.postgres?.image ?? '', /^postgres:\d+/);
    assert.deepEqual(runs(test), ['npm ci', 'npm run check']);
    assert.match(
      test.env?.DATABASE_URL ?? '',
      /^postgres:\/\/postgres:postgres@localhost:5432\/postgres$/,
    );
    assert.equal(test.env?.CI, 'true');
    assert.ok(test.env?.CHROMIUM_PATH, 'the browser test is told where Chrome is');
  });

  it('kind job: after test, pinned kind >= 0.24 and a kubectl matching the node image', () => {
    assert.ok(kind);
    assert.equal(kind.needs, 'test');
    const kindVersion = parseVersion(kind.env?.KIND_VERSION ?? '');
    assert.ok(kindVersion && versionAtLeast(kindVersion, [0, 24, 0]), 'kind >= 0.24');
    const nodeImage = kind.env?.KIND_NODE_IMAGE ?? '';
    assert.match(
      nodeImage,
      /^kindest\/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/,
      'node image pinned by digest',
    );
    const node = parseVersion(nodeImage.split(':')[1] ?? '');
    const kubectl = parseVersion(kind.env?.KUBECTL_VERSION ?? '');
    assert.deepEqual(kubectl?.slice(0, 2), node?.slice(0, 2), 'kubectl minor = node image minor');
  });

  it('kind job: the user commands in order, the chaos report uploaded, kind logs on failure', () => {
    assert.ok(kind);
    const npm = runs(kind).filter((r) => r.startsWith('npm'));
    assert.deepEqual(npm, [
      'npm ci',
      'npm run cluster:up',
      'npm run deploy',
      'npm run chaos -- --target kind --report reports/chaos',
    ]);
    const upload = kind.steps.find(
      (s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.path === 'reports/chaos',
    );
    assert.equal(upload?.if, 'always()');
    const exportLogs = kind.steps.find((s) => s.run?.startsWith('kind export logs --name flame'));
    assert.equal(exportLogs?.if, 'failure()');
  });
});
