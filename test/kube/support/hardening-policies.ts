// Manifest policies a real cluster asks for: bounded scratch volumes, short in-cluster names,
// and the database image that `deploy` pulls and loads. Merged into `checks` (policies.ts).
import type { KubeObject } from '../../../src/kube/manifests.ts';
import { POSTGRES_IMAGE } from '../../../src/kube/settings.ts';
import type { Workload } from './workloads.ts';

type Volume = { name: string; emptyDir?: { sizeLimit?: string; medium?: string } };

const podsOf = (docs: readonly KubeObject[]) =>
  docs.filter((d): d is Workload => d.kind === 'Deployment' || d.kind === 'StatefulSet');

/** Kubernetes quantities as written in our manifests: 64Mi, 1Gi, 500M. */
const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/;

export const hardeningChecks: Record<string, (docs: readonly KubeObject[]) => string[]> = {
  'every emptyDir volume has a sizeLimit (a runaway writer is evicted, not filling the node)': (
    docs,
  ) =>
    podsOf(docs).flatMap((w) =>
      ((w.spec.template.spec as { volumes?: Volume[] }).volumes ?? [])
        .filter((v) => v.emptyDir !== undefined)
        .filter((v) => !QUANTITY.test(v.emptyDir?.sizeLimit ?? ''))
        .map((v) => `${w.kind}/${w.metadata.name} volume ${v.name}: emptyDir without sizeLimit`),
    ),

  'in-cluster URLs name a Service of this namespace by its short name (one DNS lookup)': (docs) => {
    const services = docs.filter((d) => d.kind === 'Service').map((d) => d.metadata.name);
    return podsOf(docs).flatMap((w) =>
      w.spec.template.spec.containers.flatMap((c) =>
        (c.env ?? [])
          .filter((e) => e.value?.includes('://'))
          .flatMap((e) => {
            // $(DB_PASSWORD) and friends are expanded by the kubelet; any text parses here.
            const host = new URL((e.value ?? '').replace(/\$\([A-Z_]+\)/g, 'x')).hostname;
            const where = `${w.metadata.name} ${e.name}`;
            if (host.includes('.')) return [`${where}: ${host} is not a short Service name`];
            if (!services.includes(host)) return [`${where}: no Service ${host}`];
            return [];
          }),
      ),
    );
  },

  'postgres runs the image deploy pulls by digest and loads by tag (POSTGRES_IMAGE)': (docs) =>
    podsOf(docs)
      .filter((w) => w.metadata.name === 'postgres')
      .flatMap((w) => w.spec.template.spec.containers)
      .filter((c) => c.image !== POSTGRES_IMAGE.tag)
      .map((c) => `postgres container ${c.name}: image ${c.image}, not ${POSTGRES_IMAGE.tag}`),
};
