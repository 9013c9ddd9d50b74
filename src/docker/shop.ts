import { randomBytes } from 'node:crypto';
import {
  announce,
  buildImages,
  imageBuilder,
  loadManifests,
  loadSettings,
  ScriptError,
  SECRET_KEYS,
  sourceTag,
  waitFor,
} from '../kube/index.ts';
import { checkReady } from '../shared/wait.ts';
import { resolveBases } from './bases.ts';
import { type DockerEngine, dockerEngine } from './engine.ts';
import { type ContainerSpec, containerSpec, podSpec, runArgs } from './pod-specs.ts';
import { type ContainerSettings, type ShopNames, shopNames } from './settings.ts';

/** Where a running shop answers, as its containers publish it on 127.0.0.1. */
export interface ShopEndpoints {
  names: ShopNames;
  frontendUrl: string;
  /** Each logic replica's published API (the admin API among it), by container name. */
  logicUrls: Record<string, string>;
  adminToken: string;
  images: { frontend: string; logic: string; postgres: string };
  /** The stand-in bases used, if any. */
  notes: string[];
}

/**
 * `npm run containers:up`: builds both images (the build code kind uses), then runs postgres,
 * two logic replicas behind the network alias flame-logic-service and the frontend on
 * 127.0.0.1, each as the manifests run it. A shop of the same project already running is
 * replaced.
 */
export async function containersUp(settings: ContainerSettings): Promise<ShopEndpoints> {
  const kube = loadSettings();
  const engine = dockerEngine({ timeoutMs: 60_000 });
  const builder = await imageBuilder('docker');
  if ('problems' in builder) throw new ScriptError(builder.problems.join('\n'));
  const bases = await resolveBases(engine, builder, kube.nodeBaseImage, settings.standIns);
  for (const note of bases.notes) announce(note);
  const built = await buildImages(
    { ...kube, nodeBaseImage: bases.nodeBaseImage },
    await sourceTag(),
  );
  const image = (service: string) => built.find((b) => b.service === service)?.ref as string;
  const names = shopNames(settings.project);
  await containersDown(settings, engine);
  await engine.run([
    'network',
    'create',
    '--label',
    'app.kubernetes.io/part-of=flametickets',
    names.network,
  ]);
  await engine.run(['volume', 'create', names.volume]);
  const manifests = await loadManifests(kube.manifestsDir);
  const secrets = {
    [SECRET_KEYS.dbPassword]: randomBytes(24).toString('hex'),
    [SECRET_KEYS.adminToken]: randomBytes(32).toString('hex'),
  };
  const common = { network: names.network, secrets };
  const postgres = containerSpec(podSpec(manifests, 'postgres'), {
    ...common,
    name: names.postgres,
    image: bases.postgres.image,
    aliases: ['postgres'],
    // On loopback only: the chaos runner's own probe connects to it.
    publish: ['127.0.0.1::5432'],
    volumes: { data: names.volume },
    ...(bases.postgres.user ? { user: bases.postgres.user } : {}),
  });
  await runContainer(engine, postgres);
  await waitFor(`${names.postgres} to accept connections`, () => postgresReady(engine, postgres), {
    timeoutMs: settings.readyTimeoutS * 1000,
  });
  const logicUrls: Record<string, string> = {};
  for (const name of names.logic) {
    const spec = logicSpec(manifests, names, name, image('logic'), secrets);
    await runContainer(engine, spec);
    logicUrls[name] = await publishedUrl(engine, name, 8081);
  }
  const frontend = containerSpec(podSpec(manifests, 'flame-frontend'), {
    ...common,
    name: names.frontend,
    image: image('frontend'),
    aliases: ['flame-frontend'],
    publish: [`127.0.0.1:${settings.port || ''}:8080`, '127.0.0.1::9464'],
  });
  await runContainer(engine, frontend);
  const frontendUrl = await publishedUrl(engine, names.frontend, 8080);
  for (const [what, url] of [...Object.entries(logicUrls), [names.frontend, frontendUrl]]) {
    const ready = async () => {
      await checkReady(`${url}/readyz`, 5000);
      return true;
    };
    await waitFor(`${what} to be ready (${url}/readyz)`, ready, {
      timeoutMs: settings.readyTimeoutS * 1000,
    });
  }
  const adminToken = secrets[SECRET_KEYS.adminToken] as string;
  const images = { frontend: image('frontend'), logic: image('logic'), postgres: postgres.image };
  return { names, frontendUrl, logicUrls, adminToken, images, notes: bases.notes };
}

/** One logic replica as the flame-logic Deployment runs it, behind flame-logic-service. */
export function logicSpec(
  manifests: Awaited<ReturnType<typeof loadManifests>>,
  names: ShopNames,
  name: string,
  image: string,
  secrets: Record<string, string>,
): ContainerSpec {
  return containerSpec(podSpec(manifests, 'flame-logic'), {
    name,
    image,
    network: names.network,
    secrets,
    aliases: ['flame-logic-service'],
    publish: ['127.0.0.1::8081'],
  });
}

/**
 * Replaces one logic container with a new one of the same image, settings and credentials
 * (read from the old one), surge first as a Deployment's rolling update does (maxSurge 1,
 * maxUnavailable 0): the new one runs beside the old, renamed, until `ready` resolves; only
 * then is the old one stopped with the manifests' grace. Its keep-alive connections then open
 * again over the alias's replicas, the new one among them: stopping first would send them all
 * to the other replica, and the new one would get no buyers until they are recycled. Its
 * container id is new; its name (and so x-served-by) is the same, as a StatefulSet's would be.
 */
export async function replaceLogicContainer(
  engine: DockerEngine,
  settings: ContainerSettings,
  name: string,
  ready: () => Promise<unknown>,
): Promise<void> {
  const config = JSON.parse(
    await engine.run(['inspect', '--format', '{{json .Config}}', name]),
  ) as {
    Image: string;
    Env: string[];
  };
  const env = envRecord(config.Env);
  const secrets = {
    [SECRET_KEYS.dbPassword]: env.DB_PASSWORD ?? '',
    [SECRET_KEYS.adminToken]: env.ADMIN_TOKEN ?? '',
  };
  const manifests = await loadManifests(loadSettings().manifestsDir);
  const spec = logicSpec(manifests, shopNames(settings.project), name, config.Image, secrets);
  const retiring = `${name}-retiring`;
  await engine.run(['rename', name, retiring]);
  try {
    await runContainer(engine, spec);
    await ready();
  } finally {
    await engine.stop(retiring, spec.stopTimeoutS);
    await engine.run(['rm', retiring]);
  }
}

/** `npm run containers:down`: removes the shop's containers, network and database volume. */
export async function containersDown(
  settings: ContainerSettings,
  engine: DockerEngine = dockerEngine({ timeoutMs: 60_000 }),
): Promise<boolean> {
  const names = shopNames(settings.project);
  let found = false;
  // The frontend first and postgres last, as a rollout would; the replicas side by side, with
  // any old one a replacement interrupted half way left running (replaceLogicContainer).
  const retiring = names.logic.map((name) => `${name}-retiring`);
  for (const group of [[names.frontend], [...names.logic, ...retiring], [names.postgres]]) {
    const present = (await Promise.all(group.map((n) => engine.find(n)))).filter(Boolean);
    found ||= present.length > 0;
    await Promise.all(
      present.map(async (container) => {
        const name = container?.name as string;
        announce(`Removing container ${name}`);
        // The grace the manifests give; rm -f alone would SIGKILL and skip the drain.
        await engine.stop(name, 30);
        await engine.run(['rm', '-f', name]);
      }),
    );
  }
  for (const args of [
    ['network', 'rm', names.network],
    ['volume', 'rm', names.volume],
  ]) {
    const exists = await engine.run([args[0] as string, 'inspect', args[2] as string]).then(
      () => true,
      () => false,
    );
    if (exists) {
      found = true;
      await engine.run(args);
    }
  }
  return found;
}

async function runContainer(engine: DockerEngine, spec: ContainerSpec): Promise<void> {
  announce(`Starting ${spec.name} (${spec.image}, user ${spec.user}, read-only root)`);
  await engine.run(runArgs(spec), { env: spec.env });
}

/** A container's environment (`docker inspect`'s .Config.Env), by variable name. */
export async function containerEnv(
  engine: DockerEngine,
  name: string,
): Promise<Record<string, string>> {
  const list = JSON.parse(
    await engine.run(['inspect', '--format', '{{json .Config.Env}}', name]),
  ) as string[];
  return envRecord(list);
}

function envRecord(list: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    list.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
}

/** http://127.0.0.1:<host port> of a container's published port (it changes on a restart). */
export async function publishedUrl(engine: DockerEngine, name: string, port: number) {
  const out = await engine.run(['port', name, `${port}/tcp`]);
  const hostPort = /127\.0\.0\.1:(\d+)/.exec(out)?.[1];
  if (!hostPort)
    throw new ScriptError(`${name} publishes no ${port}/tcp on 127.0.0.1 (${out.trim()})`);
  return `http://127.0.0.1:${hostPort}`;
}

async function postgresReady(engine: DockerEngine, spec: ContainerSpec) {
  const user = spec.env.POSTGRES_USER ?? 'postgres';
  const db = spec.env.POSTGRES_DB ?? user;
  const args = ['exec', spec.name, 'pg_isready', '-h', '127.0.0.1', '-U', user, '-d', db];
  return engine.run(args, { timeoutMs: 10_000 }).then(
    () => true,
    () => undefined,
  );
}
