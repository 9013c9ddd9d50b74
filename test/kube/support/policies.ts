// Policy checks over the parsed manifests. Each returns a list of problems (empty = passes),
// so the tests can show both that our manifests pass and that each check catches a violation.
// The checks live by concern: pod templates, wiring across objects, hardening, metrics, nodes.
import type { KubeObject } from '../../../src/kube/manifests.ts';
import { hardeningChecks } from './hardening-policies.ts';
import { metricsChecks } from './metrics-policies.ts';
import { nodeChecks } from './node-policies.ts';
import { podChecks } from './pod-policies.ts';
import { wiringChecks } from './wiring-policies.ts';

export * from './workloads.ts';

export const checks: Record<string, (docs: readonly KubeObject[]) => string[]> = {
  ...podChecks,
  ...wiringChecks,
  ...hardeningChecks,
  ...metricsChecks,
  ...nodeChecks,
};
