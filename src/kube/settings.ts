import { join, resolve } from 'node:path';
import { ScriptError } from './shell.ts';

/** The repository root: scripts run from anywhere inside it. */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** Namespace, workload and Secret names shared by the manifests and the scripts. */
export const NAMESPACE = 'flame';
export const SECRET_NAME = 'flame-credentials';
export const SECRET_KEYS = { dbPassword: 'db-password', adminToken: 'admin-token' } as const;
export const IMAGES = {
  frontend: { repository: 'flame-frontend', dockerfile: 'Dockerfile.frontend' },
  logic: { repository: 'flame-logic', dockerfile: 'Dockerfile.logic' },
} as const;
/**
 * The database image, pinned by tag and digest (docker-library's postgres:17-alpine, PostgreSQL
 * 17.11 on Alpine 3.24). `deploy` pulls it on the host by digest and loads it into kind under
 * the tag alone, which is what manifests/flame/20-postgres.yaml names: an image loaded from an
 * archive does not keep the registry's index digest, so a digest in the manifest would make
 * the node pull it again.
 */
export const POSTGRES_IMAGE = {
  tag: 'postgres:17.11-alpine',
  digest: 'sha256:b0f9560a2de083e2cc7382e75f808c7381a32852a7ec49117deedb300e552b24',
} as const;
/** The PersistentVolumeClaim the postgres StatefulSet makes for its only replica. */
export const DATABASE_VOLUME = 'data-postgres-0';
/** The frontend Service's NodePort in the manifests; kind-cluster.yaml maps localhost:8080 to it. */
export const DEFAULT_NODE_PORT = 30080;
/** Rolled out in this order: the database first, the frontend last. */
export const WORKLOADS = [
  'statefulset/postgres',
  'deployment/flame-logic',
  'deployment/flame-frontend',
] as const;

/**
 * Knobs read from the environment, each with the default a user wants. Tests point them at
 * temp files and short timeouts; nobody else needs to set them.
 */
export interface Settings {
  /** kind cluster name (FLAME_CLUSTER, default flame). */
  clusterName: string;
  /** kubectl context (KUBE_CONTEXT, default kind-<cluster>). */
  kubeContext: string;
  /** kind node image (KIND_NODE_IMAGE); unset → kind's own default for its version. */
  nodeImage: string | undefined;
  /**
   * kind cluster config: FLAME_CLUSTER_CONFIG, else by KIND_WORKERS — 0 (default)
   * manifests/kind-cluster.yaml, one node; 2 manifests/kind-cluster-multi.yaml, a control
   * plane and two workers (the node chaos scenarios need workers).
   */
  clusterConfig: string;
  /** Folder of the app manifests (manifests/flame). */
  manifestsDir: string;
  /** Where the shop answers (FLAME_URL, default http://localhost:8080). */
  url: string;
  /**
   * The Docker network of kind's nodes (KIND_EXPERIMENTAL_DOCKER_NETWORK, kind's own knob,
   * default kind): the node-partition scenario disconnects a node from it.
   */
  kindNetwork: string;
  /** Container CLI: KIND_EXPERIMENTAL_PROVIDER=podman → podman, else docker. */
  containerCli: 'docker' | 'podman';
  /** NodePort of Service flame-frontend (FLAME_NODE_PORT, default 30080, 30000-32767). */
  nodePort: number;
  nodesTimeoutS: number;
  rolloutTimeoutS: number;
  smokeTimeoutS: number;
  /** A wait prints a progress line this often (FLAME_PROGRESS_S, default 10). */
  progressS: number;
  /** The images' Node base (FLAME_NODE_BASE_IMAGE); unset → the Dockerfiles' pinned default. */
  nodeBaseImage: string | undefined;
  /** An extra CA for `npm ci` in the build (FLAME_BUILD_CA, else NODE_EXTRA_CA_CERTS). */
  buildCa: string | undefined;
  /** An npmrc for `npm ci` in the build: registry mirror, auth (FLAME_BUILD_NPMRC). */
  buildNpmrc: string | undefined;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const clusterName = env.FLAME_CLUSTER || 'flame';
  const problems: string[] = [];
  const seconds = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) {
      problems.push(
        `${name} must be a positive whole number of seconds (got ${JSON.stringify(raw)})`,
      );
    }
    return value;
  };
  const settings: Settings = {
    clusterName,
    kubeContext: env.KUBE_CONTEXT || `kind-${clusterName}`,
    nodeImage: env.KIND_NODE_IMAGE || undefined,
    clusterConfig: clusterConfig(env, problems),
    manifestsDir: join(REPO_ROOT, 'manifests', 'flame'),
    url: (env.FLAME_URL || 'http://localhost:8080').replace(/\/+$/, ''),
    kindNetwork: env.KIND_EXPERIMENTAL_DOCKER_NETWORK || 'kind',
    containerCli: env.KIND_EXPERIMENTAL_PROVIDER === 'podman' ? 'podman' : 'docker',
    nodesTimeoutS: seconds('FLAME_NODES_TIMEOUT_S', 180),
    rolloutTimeoutS: seconds('FLAME_ROLLOUT_TIMEOUT_S', 300),
    smokeTimeoutS: seconds('FLAME_SMOKE_TIMEOUT_S', 120),
    progressS: seconds('FLAME_PROGRESS_S', 10),
    nodePort: nodePort(env.FLAME_NODE_PORT, problems),
    nodeBaseImage: env.FLAME_NODE_BASE_IMAGE || undefined,
    buildCa: env.FLAME_BUILD_CA || env.NODE_EXTRA_CA_CERTS || undefined,
    buildNpmrc: env.FLAME_BUILD_NPMRC || undefined,
  };
  if (problems.length > 0) throw new ScriptError(problems.join('\n'));
  return Object.freeze(settings);
}

/** The cluster configs KIND_WORKERS chooses between, by number of workers. */
export const CLUSTER_CONFIGS: Readonly<Record<string, string>> = {
  '0': join(REPO_ROOT, 'manifests', 'kind-cluster.yaml'),
  '2': join(REPO_ROOT, 'manifests', 'kind-cluster-multi.yaml'),
};

function clusterConfig(env: NodeJS.ProcessEnv, problems: string[]): string {
  const workers = env.KIND_WORKERS || undefined;
  const explicit = env.FLAME_CLUSTER_CONFIG || undefined;
  if (workers !== undefined && explicit !== undefined) {
    problems.push(
      `set KIND_WORKERS or FLAME_CLUSTER_CONFIG, not both (got ${JSON.stringify(workers)} and ${JSON.stringify(explicit)})`,
    );
  }
  if (explicit !== undefined) return explicit;
  const config = CLUSTER_CONFIGS[workers ?? '0'];
  if (config === undefined) {
    problems.push(
      `KIND_WORKERS must be ${Object.keys(CLUSTER_CONFIGS).join(' or ')} (got ${JSON.stringify(workers)})`,
    );
    return CLUSTER_CONFIGS['0'] as string;
  }
  return config;
}

/** Kubernetes' default NodePort range; a cluster made elsewhere may have another port free. */
function nodePort(raw: string | undefined, problems: string[]): number {
  if (raw === undefined || raw === '') return DEFAULT_NODE_PORT;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 30000 || value > 32767) {
    problems.push(`FLAME_NODE_PORT must be a NodePort, 30000-32767 (got ${JSON.stringify(raw)})`);
    return DEFAULT_NODE_PORT;
  }
  return value;
}
