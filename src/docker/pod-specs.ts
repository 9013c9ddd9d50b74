import { type KubeObject, type ManifestDocument, ScriptError } from '../kube/index.ts';

/**
 * The manifests' pods as `docker run` arguments: image, environment, user, read-only root,
 * dropped capabilities, no-new-privileges, emptyDirs as size-limited tmpfs, memory and CPU
 * limits, grace period. Read from manifests/flame, so the containers run as the pods do.
 */
export interface ContainerSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  user: string;
  readOnly: boolean;
  capDrop: string[];
  noNewPrivileges: boolean;
  tmpfs: { path: string; size: string }[];
  /** Named volumes (the postgres data): volume name → mount path. */
  volumes: Record<string, string>;
  network: string;
  aliases: string[];
  /** host:port:containerPort, or 127.0.0.1::port for an ephemeral loopback port. */
  publish: string[];
  memory?: string;
  cpus?: string;
  stopTimeoutS: number;
}

type EnvEntry = {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { key: string };
    fieldRef?: { fieldPath: string };
  };
};

type Container = {
  name: string;
  env?: EnvEntry[];
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
    runAsUser?: number;
    runAsGroup?: number;
  };
  volumeMounts?: { name: string; mountPath: string }[];
  resources?: { limits?: { memory?: string; cpu?: string } };
};

type PodSpec = {
  securityContext?: { runAsUser?: number; runAsGroup?: number };
  terminationGracePeriodSeconds?: number;
  containers: Container[];
  volumes?: { name: string; emptyDir?: { sizeLimit?: string } }[];
};

/** The pod spec of the Deployment or StatefulSet `name` in the manifests. */
export function podSpec(documents: readonly ManifestDocument[], name: string): PodSpec {
  const found = documents
    .map((d) => d.object)
    .find(
      (o: KubeObject) =>
        (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.name === name,
    );
  if (!found) throw new ScriptError(`manifests/flame has no Deployment or StatefulSet ${name}`);
  return (found.spec as { template: { spec: PodSpec } }).template.spec;
}

export interface SpecInput {
  name: string;
  image: string;
  network: string;
  aliases: string[];
  publish?: string[];
  /** secretKeyRef keys (db-password, admin-token) → values. */
  secrets: Record<string, string>;
  /** Named volumes by the manifest's volume name (the StatefulSet's claim `data`). */
  volumes?: Record<string, string>;
  /** The uid:gid instead of the manifest's (a stand-in postgres has the official image's 999). */
  user?: string;
}

/** The first container of `pod` as a ContainerSpec. */
export function containerSpec(pod: PodSpec, input: SpecInput): ContainerSpec {
  const container = pod.containers[0];
  if (!container) throw new ScriptError(`${input.name}: the pod has no container`);
  const security = container.securityContext ?? {};
  const uid = security.runAsUser ?? pod.securityContext?.runAsUser;
  const gid = security.runAsGroup ?? pod.securityContext?.runAsGroup ?? uid;
  const emptyDirs = new Map(
    (pod.volumes ?? []).filter((v) => v.emptyDir).map((v) => [v.name, v.emptyDir?.sizeLimit]),
  );
  const tmpfs: ContainerSpec['tmpfs'] = [];
  const volumes: Record<string, string> = {};
  for (const mount of container.volumeMounts ?? []) {
    if (emptyDirs.has(mount.name)) {
      tmpfs.push({ path: mount.mountPath, size: dockerSize(emptyDirs.get(mount.name) ?? '64Mi') });
    } else if (input.volumes?.[mount.name]) {
      volumes[input.volumes[mount.name] as string] = mount.mountPath;
    }
  }
  const limits = container.resources?.limits ?? {};
  return {
    name: input.name,
    image: input.image,
    env: expandEnv(container.env ?? [], input),
    user: input.user ?? `${uid}:${gid}`,
    readOnly: security.readOnlyRootFilesystem === true,
    capDrop: security.capabilities?.drop ?? [],
    noNewPrivileges: security.allowPrivilegeEscalation === false,
    tmpfs,
    volumes,
    network: input.network,
    aliases: input.aliases,
    publish: input.publish ?? [],
    ...(limits.memory ? { memory: dockerSize(limits.memory) } : {}),
    ...(limits.cpu ? { cpus: String(limits.cpu) } : {}),
    stopTimeoutS: pod.terminationGracePeriodSeconds ?? 30,
  };
}

/** Kubernetes' env: values, $(VAR) references to earlier entries, secrets and the pod name. */
function expandEnv(entries: readonly EnvEntry[], input: SpecInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    let value: string | undefined;
    if (entry.value !== undefined) {
      value = entry.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) =>
        name in env ? (env[name] as string) : whole,
      );
    } else if (entry.valueFrom?.secretKeyRef) {
      value = input.secrets[entry.valueFrom.secretKeyRef.key];
    } else if (entry.valueFrom?.fieldRef?.fieldPath === 'metadata.name') {
      value = input.name;
    }
    if (value === undefined) {
      throw new ScriptError(`${input.name}: no value for ${entry.name} outside Kubernetes`);
    }
    env[entry.name] = value;
  }
  return env;
}

/** 64Mi → 64m, 1Gi → 1g: Docker's units for the same sizes. */
export function dockerSize(quantity: string): string {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new ScriptError(`cannot read the size ${quantity}`);
  const unit = { Ki: 'k', Mi: 'm', Gi: 'g' }[match[2] as 'Ki' | 'Mi' | 'Gi'] ?? '';
  return `${match[1]}${unit}`;
}

/** `docker run -d` arguments for `spec`; values of env are passed by name (see runEnv). */
export function runArgs(spec: ContainerSpec): string[] {
  const args = ['run', '-d', '--name', spec.name, '--user', spec.user];
  if (spec.readOnly) args.push('--read-only');
  for (const cap of spec.capDrop) args.push('--cap-drop', cap);
  if (spec.noNewPrivileges) args.push('--security-opt', 'no-new-privileges');
  for (const { path, size } of spec.tmpfs) args.push('--tmpfs', `${path}:rw,size=${size}`);
  for (const [volume, path] of Object.entries(spec.volumes)) args.push('-v', `${volume}:${path}`);
  args.push('--network', spec.network);
  for (const alias of spec.aliases) args.push('--network-alias', alias);
  for (const port of spec.publish) args.push('-p', port);
  if (spec.memory) args.push('--memory', spec.memory);
  if (spec.cpus) args.push('--cpus', spec.cpus);
  args.push('--stop-timeout', String(spec.stopTimeoutS));
  // Names only: the values (a password among them) come from the environment of `docker`
  // itself, so they never show in a process list or an echoed command.
  for (const name of Object.keys(spec.env)) args.push('-e', name);
  args.push('--label', 'app.kubernetes.io/part-of=flametickets', spec.image);
  return args;
}
