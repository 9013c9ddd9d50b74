import type { ContainerState } from '../../docker/engine.ts';
import { publishedUrl } from '../../docker/shop.ts';
import { type DockerShop, seconds } from './docker-shop.ts';
import { databaseAnswers } from './observe.ts';
import type { ContainerFault, ContainerView, DatabaseControl, TargetControls } from './target.ts';

/** What only a container engine can do to the shop: freeze, cut off, kill the database. */
export function dockerControls(shop: DockerShop): TargetControls {
  const { engine, names } = shop;
  // The second replica: replica-kill takes the first, so a full run touches both.
  const replica = names.logic[1];
  const view = async (name: string) => toView(await engine.inspect(name));
  const pause = (name: string): ContainerFault => ({
    name,
    async inject() {
      await engine.pause(name);
      return view(name);
    },
    async undo() {
      const took = await seconds(async () => {
        // Only what is paused: a pause that did not take is for the proof to show, not an error.
        if ((await engine.inspect(name)).paused) await engine.unpause(name);
        await shop.allLogicReady();
      });
      return { seconds: took, after: await view(name) };
    },
  });
  const partition: ContainerFault = {
    name: replica,
    async inject() {
      await engine.disconnect(names.network, replica);
      return view(replica);
    },
    async undo() {
      const took = await seconds(async () => {
        if (!(names.network in (await engine.inspect(replica)).ips)) {
          await engine.connect(names.network, replica, ['flame-logic-service']);
        }
        await shop.allLogicReady();
      });
      return { seconds: took, after: await view(replica) };
    },
  };
  return {
    database: databaseControl(shop),
    freezeReplica: pause(replica),
    partitionReplica: partition,
    freezeDatabase: pause(names.postgres),
  };
}

/** postgres killed with SIGKILL and started again; the runner's probe on its published port. */
function databaseControl(shop: DockerShop): DatabaseControl {
  const { engine, names } = shop;
  return {
    kill: () => engine.kill(names.postgres),
    restore: () =>
      seconds(async () => {
        await engine.start(names.postgres);
        await shop.allLogicReady();
      }),
    async reachable() {
      const url = await publishedUrl(engine, names.postgres, 5432).catch(() => undefined);
      if (!url) return false;
      const env = JSON.parse(
        await engine.run(['inspect', '--format', '{{json .Config.Env}}', names.postgres]),
      ) as string[];
      const get = (key: string) => env.find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1);
      const user = encodeURIComponent(get('POSTGRES_USER') ?? 'postgres');
      const password = encodeURIComponent(get('POSTGRES_PASSWORD') ?? '');
      const database = encodeURIComponent(get('POSTGRES_DB') ?? user);
      const port = new URL(url).port;
      return databaseAnswers(`postgres://${user}:${password}@127.0.0.1:${port}/${database}`);
    },
  };
}

export function toView(state: ContainerState): ContainerView {
  return {
    name: state.name,
    id: state.id,
    status: state.status,
    pid: state.pid,
    startedAt: state.startedAt,
    networks: Object.keys(state.ips),
  };
}
