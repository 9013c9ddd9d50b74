// What the first real run of `npm run deploy` would have met — rollouts on every
// deploy, a registry pull mid-deploy, a Secret that no longer opens the database volume,
// silent waits, a fixed NodePort. Stand-in docker/kind/kubectl; no cluster.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { passwordFingerprint } from '../../src/kube/credentials.ts';
import { POSTGRES_IMAGE } from '../../src/kube/settings.ts';
import { CONCURRENT, standIns, startShop } from './support/harness.ts';
import { runScript, type StandIns } from './support/stand-ins.ts';

async function clusterReady(t: TestContext): Promise<StandIns> {
  const s = await standIns(t);
  await s.scene('clusters', 'flame\n');
  return s;
}

async function deploy(t: TestContext, s: StandIns, env: Record<string, string> = {}) {
  return runScript('deploy', s, { FLAME_URL: (await startShop(t, 'ok')).url, ...env });
}

/** A database volume and a Secret holding `password`, as an earlier deploy leaves them. */
async function earlierDeploy(s: StandIns, password: string): Promise<void> {
  await s.scene('pvc');
  await s.scene('secret.json', '{}');
  const data = { 'db-password': Buffer.from(password).toString('base64') };
  await s.scene('secret-get.json', JSON.stringify({ data }));
}

type Applied = { kind: string; metadata: { name: string }; spec?: Record<string, unknown> };
const applied = async (s: StandIns, file = 'applied.yaml'): Promise<Applied[]> =>
  parseAllDocuments(await readFile(join(s.state, file), 'utf8')).map((d) => d.toJS() as Applied);

describe('deploy, hardened for a real cluster', CONCURRENT, () => {
  it('renders identical objects for an unchanged source, so a second deploy rolls nothing out', async (t) => {
    const s = await clusterReady(t);
    assert.equal((await deploy(t, s)).code, 0);
    const second = await deploy(t, s);
    assert.equal(second.code, 0, second.stderr);
    // The stand-in docker gives every build a new image id, as provenance attestations do.
    const [first, again] = await Promise.all(
      ['applied-1.yaml', 'applied-2.yaml'].map((f) => readFile(join(s.state, f), 'utf8')),
    );
    assert.equal(again, first);
    assert.match(first ?? '', /flametickets\.dev\/image-inputs: sha256:[0-9a-f]{64}/);
  });

  it('stops before applying anything when the database image cannot be pulled', async (t) => {
    const s = await clusterReady(t);
    await s.scene('pull-fails');
    const run = await deploy(t, s);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /could not pull the database image postgres:17\.11-alpine@sha256:[0-9a-f]{64} \(.*toomanyrequests.*\)\. Nothing was applied\./,
    );
    const calls = await s.calls();
    assert.ok(!calls.some((c) => c.includes(' apply ')), 'nothing applied');
    assert.ok(!calls.some((c) => c.startsWith(`kind load docker-image ${POSTGRES_IMAGE.tag}`)));
  });

  it('loads the database image already on this machine without pulling it', async (t) => {
    const s = await clusterReady(t);
    await s.scene('postgres-present');
    assert.equal((await deploy(t, s)).code, 0);
    const calls = await s.calls();
    assert.ok(!calls.some((c) => c.startsWith('docker pull')));
    assert.ok(calls.includes(`kind load docker-image ${POSTGRES_IMAGE.tag} --name flame`));
  });

  it('refuses to make a new Secret for a database volume that survived, and says how to recover', async (t) => {
    const s = await clusterReady(t);
    await s.scene('pvc');
    const run = await deploy(t, s);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /Secret flame-credentials is missing, but the database volume data-postgres-0/,
    );
    assert.match(
      run.stderr,
      /delete statefulset postgres && kubectl --context kind-flame -n flame delete pvc data-postgres-0/,
    );
    const calls = await s.calls();
    assert.ok(!calls.some((c) => c.includes(' create -f -') || c.includes(' apply -f -')));
  });

  it('refuses a Secret whose password is not the one the volume was created with', async (t) => {
    const s = await clusterReady(t);
    await earlierDeploy(s, 'the-new-password-0123456789');
    await s.scene('pvc-annotation', passwordFingerprint('the-old-password-0123456789'));
    const run = await deploy(t, s);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /holds another database password than the one the database on volume data-postgres-0/,
    );
    assert.ok(!(await s.calls()).some((c) => c.includes(' apply -f -')));
  });

  it('records the password fingerprint on the volume after the rollout, and accepts it next time', async (t) => {
    const s = await clusterReady(t);
    const password = 'the-only-password-0123456789';
    await earlierDeploy(s, password);
    assert.equal((await deploy(t, s)).code, 0);
    const recorded = (await readFile(join(s.state, 'pvc-annotation'), 'utf8')).trim();
    assert.equal(recorded, passwordFingerprint(password));
    assert.ok(!recorded.includes(password));
    const again = await deploy(t, s);
    assert.equal(again.code, 0, again.stderr);
    // Reading the Secret is never echoed: zx prints what a command outputs unless told not to.
    const encoded = Buffer.from(password).toString('base64');
    for (const text of [again.stdout, again.stderr]) {
      assert.ok(!text.includes(password) && !text.includes(encoded), 'the Secret is not printed');
    }
  });

  it('sets the frontend NodePort from FLAME_NODE_PORT, and rejects one outside 30000-32767', async (t) => {
    const s = await clusterReady(t);
    assert.equal((await deploy(t, s, { FLAME_NODE_PORT: '31234' })).code, 0);
    const service = (await applied(s)).find(
      (o) => o.kind === 'Service' && o.metadata.name === 'flame-frontend',
    );
    assert.deepEqual(
      ((service?.spec?.ports ?? []) as { nodePort: number }[]).map((p) => p.nodePort),
      [31234],
    );
    const bad = await deploy(t, s, { FLAME_NODE_PORT: '8080' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /FLAME_NODE_PORT must be a NodePort, 30000-32767 \(got "8080"\)/);
  });

  it('says it is still waiting while a rollout takes long', async (t) => {
    const s = await clusterReady(t);
    await s.scene('rollout-seconds', '3');
    const run = await deploy(t, s, { FLAME_PROGRESS_S: '1' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /still waiting for statefulset\/postgres to roll out \(\d+s of 300s\)/,
    );
  });

  it('says where the image went when the build did not reach the local image store', async (t) => {
    const s = await clusterReady(t);
    await s.scene('image-not-loaded');
    const run = await deploy(t, s);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /built flame-frontend:0123456789ab, but it is not in the local image store/,
    );
  });
});
