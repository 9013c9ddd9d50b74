import { dockerEngine } from '../../docker/engine.ts';
import { type ContainerSettings, loadContainerSettings, shopNames } from '../../docker/settings.ts';
import { containerEnv, publishedUrl, replaceLogicContainer } from '../../docker/shop.ts';
import { NO_FAULTS } from '../../shared/admin-api.ts';
import { AdminClient } from '../../shared/admin-client.ts';
import { answersReady, waitFor } from '../../shared/wait.ts';
import { addFaultCounts, type ReplicaIdentity, zeroFaultCounts } from '../core/model.ts';
import { DEFAULT_ATTEMPT_TIMEOUT_MS } from '../env.ts';
import { withRetry } from '../retry.ts';
import { createStockEvents } from '../stock.ts';
import { dockerControls } from './docker-controls.ts';
import { type DockerShop, seconds } from './docker-shop.ts';
import { readFrontendCounts, readIdentity } from './observe.ts';
import type { ChaosTarget } from './target.ts';

const READY_TIMEOUT_MS = 90_000;

/**
 * The shop `npm run containers:up` runs on this Docker engine (FLAME_CONTAINERS_PROJECT):
 * buyers on the frontend's published port, faults and the audit through each logic
 * container's published admin API, Docker-level faults with the docker CLI.
 */
export async function connectDockerTarget(options: {
  log: (line: string) => void;
  settings?: ContainerSettings;
}): Promise<{ target: ChaosTarget; attemptTimeoutMs: number }> {
  const settings = options.settings ?? loadContainerSettings();
  const engine = dockerEngine({ timeoutMs: 60_000 });
  const names = shopNames(settings.project);
  for (const name of [names.postgres, ...names.logic, names.frontend]) {
    if (!(await engine.find(name))) {
      throw new Error(`no container ${name}: bring the shop up first (npm run containers:up)`);
    }
  }
  const env = await containerEnv(engine, names.logic[0]);
  const token = env.ADMIN_TOKEN;
  if (!token) throw new Error(`${names.logic[0]} has no ADMIN_TOKEN`);
  const frontendEnv = await containerEnv(engine, names.frontend);
  const attemptTimeoutMs =
    Number(frontendEnv.LOGIC_ATTEMPT_TIMEOUT_MS) || DEFAULT_ATTEMPT_TIMEOUT_MS;
  const logicUrl = (name: string) => publishedUrl(engine, name, 8081);
  const shop: DockerShop = {
    engine,
    settings,
    names,
    token,
    logicUrl,
    allLogicReady: () =>
      seconds(() =>
        waitFor(
          'every logic container to answer /readyz',
          async () => {
            for (const name of names.logic) {
              const url = await logicUrl(name).catch(() => undefined);
              if (!url || !(await answersReady(`${url}/readyz`))) return undefined;
            }
            return true;
          },
          { timeoutMs: READY_TIMEOUT_MS, delayMs: 250 },
        ),
      ),
  };
  const frontendUrl = await publishedUrl(engine, names.frontend, 8080);
  options.log(
    `docker target: ${names.frontend} at ${frontendUrl}, logic ${names.logic.join(', ')}`,
  );
  return { target: dockerTarget(shop, frontendUrl), attemptTimeoutMs };
}

function dockerTarget(shop: DockerShop, shopUrl: string): ChaosTarget {
  return {
    name: 'docker',
    shopUrl,
    controls: dockerControls(shop),
    whyNot: { networkPolicy: 'Docker has no network policies: only a kind cluster enforces them' },
    ...adminCalls(shop),
    ...healthChecks(shop, shopUrl),
    ...faultActions(shop),
    restore: () => restoreShop(shop),
    close: () => restoreShop(shop),
  };
}

const retry = <T>(what: string, fn: () => Promise<T>) => withRetry(what, 30_000, fn);

/** The first logic container that answers ready: frozen or cut-off ones are passed over. */
async function anyLogicUrl({ names, logicUrl }: DockerShop): Promise<string> {
  for (const name of names.logic) {
    const url = await logicUrl(name).catch(() => undefined);
    if (url && (await answersReady(`${url}/readyz`))) return url;
  }
  throw new Error('no logic container answers /readyz');
}

/** The logic containers that have a published API now: a stopped one has none. */
async function reachableLogicUrls({ names, logicUrl }: DockerShop): Promise<string[]> {
  return (await Promise.all(names.logic.map((n) => logicUrl(n).catch(() => undefined)))).filter(
    (u): u is string => u !== undefined,
  );
}

/** Faults, audit and stock, through the logic containers' published admin API. */
function adminCalls(shop: DockerShop) {
  const admin = (url: string) => new AdminClient(url, shop.token);
  const anyAdmin = async () => admin(await anyLogicUrl(shop));
  return {
    async setFaults(settings) {
      await (await anyAdmin()).putFaults(settings);
      await waitFor(
        'every logic container to apply the fault settings',
        async () => {
          const urls = await reachableLogicUrls(shop);
          const applied = await Promise.all(urls.map((u) => admin(u).getFaults()));
          return (
            applied.every((a) => JSON.stringify(a.faults) === JSON.stringify(settings)) || undefined
          );
        },
        { timeoutMs: 10_000, delayMs: 100 },
      );
    },
    async faultCounts() {
      let sum = zeroFaultCounts();
      for (const url of await reachableLogicUrls(shop))
        sum = addFaultCounts(sum, (await admin(url).getFaults()).injected.counts);
      return sum;
    },
    audit: (eventIds) =>
      retry('reading GET /admin/audit', async () => (await anyAdmin()).getAudit(eventIds)),
    createEvents: (events) =>
      retry('POST /admin/events', async () => createStockEvents(await anyAdmin(), events)),
    archiveEvents: (ids) =>
      retry('POST /admin/events/archive', async () => (await anyAdmin()).archiveEvents(ids)),
  } satisfies Partial<ChaosTarget>;
}

/** Which containers serve, and whether they are ready. */
function healthChecks({ engine, names, logicUrl }: DockerShop, shopUrl: string) {
  return {
    async logicIdentities() {
      const read = await Promise.allSettled(
        names.logic.map(async (name) => readIdentity(await logicUrl(name))),
      );
      return read.flatMap((r): ReplicaIdentity[] => (r.status === 'fulfilled' ? [r.value] : []));
    },
    frontendCounts: async () =>
      readFrontendCounts(`${await publishedUrl(engine, names.frontend, 9464)}/metrics`),
    async unhealthy() {
      const down: string[] = [];
      for (const name of names.logic) {
        const url = await logicUrl(name).catch(() => undefined);
        if (!url || !(await answersReady(`${url}/readyz`))) down.push(name);
      }
      if (!(await answersReady(`${shopUrl}/readyz`))) down.push(names.frontend);
      const db = await engine.find(names.postgres);
      if (!db?.running || db.paused) down.push(names.postgres);
      return down.length > 0 ? `not ready: ${down.join(', ')}` : undefined;
    },
    async frontendIdentity() {
      const state = await engine.inspect(names.frontend);
      return `${state.name} ${state.id.slice(0, 12)} started ${state.startedAt} restarts ${state.restartCount}`;
    },
  } satisfies Partial<ChaosTarget>;
}

/** The faults that are containers: kill, replace, stop and start logic's. */
function faultActions(shop: DockerShop) {
  const { engine, names } = shop;
  let killed: string | undefined;
  return {
    async killLogicReplica() {
      const name = names.logic[0];
      await engine.kill(name);
      killed = name;
      return name;
    },
    restoreLogicReplica: () =>
      seconds(async () => {
        if (killed) await engine.start(killed);
        await shop.allLogicReady();
      }),
    async rollingRestartLogic() {
      for (const name of names.logic) {
        await replaceLogicContainer(engine, shop.settings, name, shop.allLogicReady);
      }
    },
    async stopAllLogic() {
      await Promise.all(names.logic.map((name) => engine.kill(name)));
    },
    startAllLogic: () =>
      seconds(async () => {
        await Promise.all(names.logic.map((name) => engine.start(name)));
        await shop.allLogicReady();
      }),
  } satisfies Partial<ChaosTarget>;
}

/** Thaws, reconnects and starts whatever a run left paused, cut off or stopped; clears faults. */
async function restoreShop(shop: DockerShop): Promise<string[]> {
  const { engine, names, token } = shop;
  const done: string[] = [];
  for (const name of [names.postgres, ...names.logic, names.frontend]) {
    const state = await engine.find(name);
    if (!state) continue;
    if (state.paused) {
      await engine.unpause(name);
      done.push(`${name} unpaused`);
    }
    if (!state.running) {
      await engine.start(name);
      done.push(`${name} started again`);
    }
    if (!(names.network in (await engine.inspect(name)).ips)) {
      const aliases =
        name === names.postgres
          ? ['postgres']
          : name === names.frontend
            ? ['flame-frontend']
            : ['flame-logic-service'];
      await engine.connect(names.network, name, aliases);
      done.push(`${name} connected to ${names.network} again`);
    }
  }
  await shop.allLogicReady();
  for (const name of names.logic)
    await new AdminClient(await shop.logicUrl(name), token).putFaults(NO_FAULTS);
  done.push(`faults cleared on ${names.logic.join(', ')}`);
  return done;
}
