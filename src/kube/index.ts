// The public surface of the cluster helpers: what the scripts, the chaos runner's kind target
// and src/docker (images, manifests, settings, the shell) use. docs/KIND.md maps the modules
// behind it.

export type { ImageBuilder } from './builder.ts';
export { collectClusterState } from './cluster-state.ts';
export { clusterDown, clusterUp, requireCluster } from './cluster-up.ts';
export { deploy } from './deploy.ts';
export { buildAndLoadImages, buildImages, sourceTag } from './images.ts';
export {
  flameTarget,
  followKubectl,
  type KubeTarget,
  kubectl,
  listPods,
  type PodSummary,
  type PortForward,
  portForward,
  readSecretKey,
} from './kubectl.ts';
export { followLogs } from './logs.ts';
export { type KubeObject, loadManifests, type ManifestDocument } from './manifests.ts';
export {
  loadSettings,
  NAMESPACE,
  POSTGRES_IMAGE,
  REPO_ROOT,
  SECRET_KEYS,
  SECRET_NAME,
  type Settings,
} from './settings.ts';
export { $, $quiet, announce, runScript, ScriptError, step } from './shell.ts';
export { imageBuilder, requireTools } from './tools.ts';
export { waitFor, withProgress } from './wait.ts';
