// The public surface of the cluster helpers: what the scripts and the chaos runner's kind
// target use. docs/KIND.md maps the modules behind it.
export { collectClusterState } from './cluster-state.ts';
export { clusterDown, clusterUp, requireCluster } from './cluster-up.ts';
export { deploy } from './deploy.ts';
export { buildAndLoadImages } from './images.ts';
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
export { loadSettings, NAMESPACE, SECRET_KEYS, SECRET_NAME, type Settings } from './settings.ts';
export { $, announce, runScript, ScriptError, step } from './shell.ts';
export { requireTools } from './tools.ts';
export { waitFor, withProgress } from './wait.ts';
