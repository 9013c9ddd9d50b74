// A small evaluator of Kubernetes NetworkPolicy semantics (matchLabels, podSelector,
// namespaceSelector, ports) over the pods our manifests create, so a test can ask "may the
// frontend reach postgres?" instead of eyeballing selectors.
import type { KubeObject } from '../../../src/kube/manifests.ts';

export interface Peer {
  name: string;
  /** undefined: outside the cluster (a browser through the NodePort). */
  namespace: string | undefined;
  namespaceLabels: Record<string, string>;
  labels: Record<string, string>;
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
type PolicyPeer = { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: unknown };
type PolicyPort = { protocol?: string; port?: number | string; endPort?: number };
type Rule = { from?: PolicyPeer[]; to?: PolicyPeer[]; ports?: PolicyPort[] };
type PolicySpec = {
  podSelector: Selector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: Rule[];
  egress?: Rule[];
};

export function selectorMatches(selector: Selector, labels: Record<string, string>): boolean {
  if (selector.matchExpressions?.length)
    throw new Error('matchExpressions: not supported by this evaluator');
  return Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

function peerMatches(peer: PolicyPeer, policyNamespace: string, other: Peer): boolean {
  if (peer.ipBlock) throw new Error('ipBlock: not supported by this evaluator');
  if (other.namespace === undefined) return false;
  const namespaceOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, other.namespaceLabels)
    : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? selectorMatches(peer.podSelector, other.labels) : true;
  return namespaceOk && podOk;
}

function portMatches(ports: PolicyPort[] | undefined, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some(
    (p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port),
  );
}

/** True when `direction` traffic of `pod` with `other` on port/protocol is allowed by `policies`. */
function allowedFor(
  direction: 'Ingress' | 'Egress',
  pod: Peer,
  other: Peer,
  port: number,
  protocol: string,
  policies: readonly KubeObject[],
): boolean {
  if (pod.namespace === undefined) return true;
  const applying = policies.filter((policy) => {
    const spec = policy.spec as PolicySpec;
    const types = spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
    return (
      (policy.metadata.namespace ?? 'default') === pod.namespace &&
      types.includes(direction) &&
      selectorMatches(spec.podSelector, pod.labels)
    );
  });
  if (applying.length === 0) return true;
  return applying.some((policy) => {
    const spec = policy.spec as PolicySpec;
    const rules = (direction === 'Ingress' ? spec.ingress : spec.egress) ?? [];
    return rules.some((rule) => {
      const peers = direction === 'Ingress' ? rule.from : rule.to;
      const peerOk =
        !peers ||
        peers.length === 0 ||
        peers.some((peer) => peerMatches(peer, policy.metadata.namespace ?? 'default', other));
      return peerOk && portMatches(rule.ports, port, protocol);
    });
  });
}

/** May `from` open a connection to `to` on port/protocol, given every NetworkPolicy? */
export function mayConnect(
  from: Peer,
  to: Peer,
  port: number,
  policies: readonly KubeObject[],
  protocol = 'TCP',
): boolean {
  return (
    allowedFor('Egress', from, to, port, protocol, policies) &&
    allowedFor('Ingress', to, from, port, protocol, policies)
  );
}
