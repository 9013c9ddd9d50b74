// The manifests' pods as docker run arguments: read from manifests/flame, so the containers
// run as the pods do (no engine needed for this file).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { containerSpec, dockerSize, podSpec, runArgs } from '../../src/docker/pod-specs.ts';
import { loadManifests } from '../../src/kube/manifests.ts';
import { REPO_ROOT } from '../../src/kube/settings.ts';

const manifests = await loadManifests(join(REPO_ROOT, 'manifests', 'flame'));
const secrets = { 'db-password': 'pw', 'admin-token': 'tok' };

describe("a logic container from the flame-logic Deployment's pod", () => {
  const spec = containerSpec(podSpec(manifests, 'flame-logic'), {
    name: 'shop-logic-1',
    image: 'flame-logic:abc',
    network: 'shop-net',
    aliases: ['flame-logic-service'],
    secrets,
  });

  it('has the pod security: uid 1000, read-only root, no capabilities, no new privileges, /tmp tmpfs', () => {
    assert.equal(spec.user, '1000:1000');
    assert.equal(spec.readOnly, true);
    assert.deepEqual(spec.capDrop, ['ALL']);
    assert.equal(spec.noNewPrivileges, true);
    assert.deepEqual(spec.tmpfs, [{ path: '/tmp', size: '64m' }]);
    assert.equal(spec.memory, '256m');
    assert.equal(spec.stopTimeoutS, 30);
  });

  it('has the environment, secrets filled in, $(DB_PASSWORD) expanded, the pod name as POD_NAME', () => {
    assert.equal(spec.env.DATABASE_URL, 'postgres://flame:pw@postgres:5432/flame');
    assert.equal(spec.env.ADMIN_TOKEN, 'tok');
    assert.equal(spec.env.POD_NAME, 'shop-logic-1');
    assert.equal(spec.env.METRICS_PORT, '9465');
  });

  it('passes env values by name only, so no secret is on the command line', () => {
    const args = runArgs(spec);
    assert.ok(args.includes('--read-only') && args.includes('no-new-privileges'));
    assert.deepEqual(args.slice(args.indexOf('--network'), args.indexOf('--network') + 4), [
      '--network',
      'shop-net',
      '--network-alias',
      'flame-logic-service',
    ]);
    assert.ok(!args.some((a) => a.includes('pw') || a.includes('tok')), args.join(' '));
    assert.ok(args.includes('ADMIN_TOKEN'));
  });
});

describe('postgres from the StatefulSet', () => {
  it('mounts the data volume, a 1m socket tmpfs and /tmp; the stand-in user when given', () => {
    const spec = containerSpec(podSpec(manifests, 'postgres'), {
      name: 'shop-postgres',
      image: 'pg',
      network: 'n',
      aliases: ['postgres'],
      secrets,
      volumes: { data: 'shop-pgdata' },
      user: '999:999',
    });
    assert.deepEqual(spec.volumes, { 'shop-pgdata': '/var/lib/postgresql/data' });
    assert.deepEqual(spec.tmpfs, [
      { path: '/var/run/postgresql', size: '1m' },
      { path: '/tmp', size: '64m' },
    ]);
    assert.equal(spec.user, '999:999');
    assert.equal(spec.env.POSTGRES_PASSWORD, 'pw');
    assert.equal(spec.env.PGDATA, '/var/lib/postgresql/data/pgdata');
  });

  it('converts Kubernetes sizes to Docker units', () => {
    assert.equal(dockerSize('64Mi'), '64m');
    assert.equal(dockerSize('1Gi'), '1g');
    assert.throws(() => dockerSize('lots'));
  });
});
