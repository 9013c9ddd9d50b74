import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { hostPlatform } from '../../src/kube/images.ts';
import { POSTGRES_IMAGE } from '../../src/kube/settings.ts';
import { CONCURRENT, standIns, startShop } from './support/harness.ts';
import { REPO_ROOT, runScript, type StandIns } from './support/stand-ins.ts';

describe(
  'deploy script (stand-in docker/kind/kubectl and a stand-in shop, no real cluster)',
  CONCURRENT,
  () => {
    async function clusterReady(t: TestContext): Promise<StandIns> {
      const s = await standIns(t);
      await s.scene('clusters', 'flame\n');
      return s;
    }

    it('builds, loads, creates the Secret, applies, waits for each rollout and buys one ticket', async (t) => {
      const s = await clusterReady(t);
      const shop = await startShop(t, 'ok');
      const run = await runScript('deploy', s, { FLAME_URL: shop.url });
      assert.equal(run.code, 0, run.stderr);
      const calls = (await s.calls()).filter(
        (c) => !/ (info|version)( |$)/.test(c) && !c.startsWith('git'),
      );
      assert.deepEqual(calls, [
        'kind get clusters',
        `docker build --load --provenance=false -f ${join(REPO_ROOT, 'Dockerfile.frontend')} -t flame-frontend:0123456789ab ${REPO_ROOT}`,
        'docker image inspect --format {{.Id}} flame-frontend:0123456789ab',
        `docker build --load --provenance=false -f ${join(REPO_ROOT, 'Dockerfile.logic')} -t flame-logic:0123456789ab ${REPO_ROOT}`,
        'docker image inspect --format {{.Id}} flame-logic:0123456789ab',
        'kind load docker-image flame-frontend:0123456789ab --name flame',
        'kind load docker-image flame-logic:0123456789ab --name flame',
        `docker image inspect --format {{.Id}} postgres@${POSTGRES_IMAGE.digest}`,
        `docker pull --platform ${hostPlatform()} ${POSTGRES_IMAGE.tag}@${POSTGRES_IMAGE.digest}`,
        `docker tag postgres@${POSTGRES_IMAGE.digest} ${POSTGRES_IMAGE.tag}`,
        `kind load docker-image ${POSTGRES_IMAGE.tag} --name flame`,
        `kubectl --context kind-flame apply -f ${join(REPO_ROOT, 'manifests', 'flame', '00-namespace.yaml')}`,
        'kubectl --context kind-flame -n flame get secret flame-credentials -o name',
        'kubectl --context kind-flame -n flame get pvc data-postgres-0 -o name',
        'kubectl --context kind-flame -n flame create -f -',
        'kubectl --context kind-flame apply -f -',
        'kubectl --context kind-flame -n flame rollout status statefulset/postgres --timeout=300s',
        'kubectl --context kind-flame -n flame rollout status deployment/flame-logic --timeout=300s',
        'kubectl --context kind-flame -n flame rollout status deployment/flame-frontend --timeout=300s',
        'kubectl --context kind-flame -n flame get pvc data-postgres-0 -o name',
      ]);

      const applied = parseAllDocuments(await readFile(join(s.state, 'applied.yaml'), 'utf8')).map(
        (d) =>
          d.toJS() as {
            kind: string;
            spec?: { template?: { spec: { containers: { image: string }[] } } };
          },
      );
      const images = applied.flatMap(
        (o) => o.spec?.template?.spec.containers.map((c) => c.image) ?? [],
      );
      assert.deepEqual(images.sort(), [
        'flame-frontend:0123456789ab',
        'flame-logic:0123456789ab',
        'postgres:17.11-alpine',
      ]);

      const secret = JSON.parse(await readFile(join(s.state, 'secret.json'), 'utf8')) as {
        stringData: Record<string, string>;
      };
      const password = secret.stringData['db-password'] ?? '';
      const token = secret.stringData['admin-token'] ?? '';
      assert.match(password, /^[0-9a-f]{48}$/);
      assert.ok(token.length >= 16, 'the admin token satisfies ADMIN_TOKEN >= 16 chars');
      for (const text of [run.stdout, run.stderr, ...(await s.calls())]) {
        assert.ok(
          !text.includes(password) && !text.includes(token),
          'no credential is printed or on a command line',
        );
      }

      const smoke = shop.requests;
      assert.deepEqual(
        smoke.map((r) => `${r.method} ${r.url}`),
        ['GET /api/events', 'POST /api/orders', 'POST /api/orders'],
      );
      assert.ok(
        smoke[1]?.key && smoke[1].key === smoke[2]?.key,
        'the replay reuses the Idempotency-Key',
      );
      assert.match(run.stdout, /Smoke purchase ok: order order-\d+ served by flame-logic-abc/);
      assert.match(run.stdout, new RegExp(`FlameTickets is running: open ${shop.url}`));
      assert.match(run.stdout, /npm run logs/);
    });

    it('keeps an existing Secret on a second run', async (t) => {
      const s = await clusterReady(t);
      await s.scene('secret.json', '{"kept":true}');
      const run = await runScript('deploy', s, { FLAME_URL: (await startShop(t, 'ok')).url });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(!(await s.calls()).some((c) => c.includes(' create -f -')));
      assert.equal(await readFile(join(s.state, 'secret.json'), 'utf8'), '{"kept":true}');
      assert.match(run.stdout, /Secret flame-credentials exists — keeping it/);
    });

    it('tags a changed tree -dirty, and falls back to a single-platform save + kind load image-archive when load fails', async (t) => {
      const s = await clusterReady(t);
      await s.scene('load-docker-image-fails');
      await s.scene('git-status', ' M src/logic/orders.ts\n');
      const run = await runScript('deploy', s, { FLAME_URL: (await startShop(t, 'ok')).url });
      assert.equal(run.code, 0, run.stderr);
      const calls = await s.calls();
      // One platform only: a multi-platform index from the containerd image store is what made
      // the direct load fail, and a plain `docker save` would write that same index.
      const prefix = `docker image save --platform ${hostPlatform()} -o `;
      const save = calls.find(
        (c) => c.startsWith(prefix) && c.endsWith(' flame-logic:0123456789ab-dirty'),
      );
      assert.ok(save, `${prefix}… of the logic image in ${calls.join('\n')}`);
      const archive = save.slice(prefix.length).split(' ')[0];
      assert.ok(calls.includes(`kind load image-archive ${archive} --name flame`));
    });

    it('names the workload when a rollout times out, and runs no smoke test', async (t) => {
      const s = await clusterReady(t);
      await s.scene('rollout-timeout', 'deployment/flame-logic\n');
      const shop = await startShop(t, 'ok');
      const run = await runScript('deploy', s, {
        FLAME_URL: shop.url,
        FLAME_ROLLOUT_TIMEOUT_S: '9',
      });
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /Timed out after 9s waiting for deployment\/flame-logic to roll out/,
      );
      assert.ok(
        !(await s.calls()).some((c) => c.includes('rollout status deployment/flame-frontend')),
      );
      assert.equal(shop.requests.length, 0);
    });

    it('names the URL and the last answer when the smoke purchase keeps failing', async (t) => {
      const s = await clusterReady(t);
      const { url: downUrl } = await startShop(t, 'unavailable');
      const run = await runScript('deploy', s, { FLAME_URL: downUrl, FLAME_SMOKE_TIMEOUT_S: '1' });
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        new RegExp(
          `Timed out after 1s waiting for a smoke purchase through ${downUrl} \\(last attempt: GET /api/events answered 503\\)`,
        ),
      );
    });

    it('asks for cluster:up when the cluster does not exist', async (t) => {
      const s = await standIns(t);
      const run = await runScript('deploy', s, { FLAME_URL: (await startShop(t, 'ok')).url });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /kind cluster "flame" does not exist: run npm run cluster:up first/);
      assert.ok(!(await s.calls()).some((c) => c.startsWith('docker build ')));
    });
  },
);
