import { join, resolve } from 'node:path';
import { ScriptError } from './run.ts';

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
  /** kind cluster config (FLAME_CLUSTER_CONFIG, default manifests/kind-cluster.yaml). */
  clusterConfig: string;
  /** Folder of the app manifests (manifests/flame). */
  manifestsDir: string;
  /** Where the shop answers (FLAME_URL, default http://localhost:8080). */
  url: string;
  /** Container CLI: KIND_EXPERIMENTAL_PROVIDER=podman → podman, else docker. */
  containerCli: 'docker' | 'podman';
  nodesTimeoutS: number;
  rolloutTimeoutS: number;
  smokeTimeoutS: number;
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
    clusterConfig: env.FLAME_CLUSTER_CONFIG || join(REPO_ROOT, 'manifests', 'kind-cluster.yaml'),
    manifestsDir: join(REPO_ROOT, 'manifests', 'flame'),
    url: (env.FLAME_URL || 'http://localhost:8080').replace(/\/+$/, ''),
    containerCli: env.KIND_EXPERIMENTAL_PROVIDER === 'podman' ? 'podman' : 'docker',
    nodesTimeoutS: seconds('FLAME_NODES_TIMEOUT_S', 180),
    rolloutTimeoutS: seconds('FLAME_ROLLOUT_TIMEOUT_S', 300),
    smokeTimeoutS: seconds('FLAME_SMOKE_TIMEOUT_S', 120),
  };
  if (problems.length > 0) throw new ScriptError(problems.join('\n'));
  return Object.freeze(settings);
}
