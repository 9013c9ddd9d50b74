import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { BuiltImage } from './images.ts';
import { IMAGES, NAMESPACE, SECRET_KEYS, SECRET_NAME } from './settings.ts';
import { ScriptError } from './shell.ts';

/** A parsed Kubernetes object; the tests narrow it further. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

export interface ManifestDocument {
  file: string;
  object: KubeObject;
}

/**
 * Pod template annotation whose value is the digest of the image's inputs: a `-dirty` tag stays
 * the same while the code changes, so this is what rolls out a changed image, and only that.
 */
export const IMAGE_INPUTS_ANNOTATION = 'flametickets.dev/image-inputs';

/** Every document of every *.yaml file in `dir`, in file-name order (the apply order). */
export async function loadManifests(dir: string): Promise<ManifestDocument[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const documents: ManifestDocument[] = [];
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) {
        throw new ScriptError(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      }
      const object = doc.toJS() as KubeObject | null;
      if (object) documents.push({ file, object });
    }
  }
  return documents;
}

type PodTemplate = {
  metadata?: { annotations?: Record<string, string> };
  spec: { containers: { image?: string }[] };
};

/** The pod template of a Deployment or StatefulSet, or undefined for other kinds. */
export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  if (object.kind !== 'Deployment' && object.kind !== 'StatefulSet') return undefined;
  return (object.spec as { template: PodTemplate }).template;
}

/**
 * Returns copies of the documents with our images (`flame-frontend:…`, `flame-logic:…`) set to
 * the built refs and the image content id in a pod template annotation. Fails if one of our
 * images has no built counterpart, so a placeholder tag can never reach the cluster.
 */
export function withImages(
  documents: readonly ManifestDocument[],
  images: readonly BuiltImage[],
): KubeObject[] {
  return documents.map(({ file, object }) => {
    const copy = structuredClone(object);
    const template = podTemplateOf(copy);
    if (!template) return copy;
    for (const container of template.spec.containers) {
      const repository = container.image?.split(':')[0];
      const service = (Object.keys(IMAGES) as (keyof typeof IMAGES)[]).find(
        (s) => IMAGES[s].repository === repository,
      );
      if (!service) continue;
      const built = images.find((image) => image.service === service);
      if (!built) throw new ScriptError(`${file}: no built image for ${container.image}`);
      container.image = built.ref;
      template.metadata ??= {};
      template.metadata.annotations = {
        ...template.metadata.annotations,
        [IMAGE_INPUTS_ANNOTATION]: built.inputs,
      };
    }
    return copy;
  });
}

/**
 * Copies of the objects with Service flame-frontend's NodePort set to `port`, for a cluster
 * made elsewhere whose 30080 is taken (FLAME_NODE_PORT).
 */
export function withNodePort(objects: readonly KubeObject[], port: number): KubeObject[] {
  return objects.map((object) => {
    if (object.kind !== 'Service' || object.metadata.name !== 'flame-frontend') return object;
    const copy = structuredClone(object);
    const spec = copy.spec as { ports?: { nodePort?: number }[] };
    for (const servicePort of spec.ports ?? []) servicePort.nodePort = port;
    return copy;
  });
}

/** Multi-document YAML for `kubectl apply -f -`. */
export function toYamlStream(objects: readonly KubeObject[]): string {
  return objects.map((object) => stringify(object)).join('---\n');
}

/** The credentials Secret, with values only in memory and on kubectl's stdin. */
export function credentialsSecret(dbPassword: string, adminToken: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: SECRET_NAME,
      namespace: NAMESPACE,
      labels: { 'app.kubernetes.io/part-of': 'flametickets' },
    },
    type: 'Opaque',
    stringData: { [SECRET_KEYS.dbPassword]: dbPassword, [SECRET_KEYS.adminToken]: adminToken },
  };
}
