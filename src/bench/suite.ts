import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase } from '../local/scratch-database.ts';
import { type LocalSystem, startLocalSystem } from '../local/system.ts';
import { AdminClient } from '../shared/admin-client.ts';
import type { BenchChild } from './children.ts';
import { HOT_EVENT_COUNT, hotEventIds, shapeData } from './data.ts';
import {
  type FlashReport,
  flashRatio,
  flashReport,
  httpVariant,
  measureFlashSale,
  statementVariant,
} from './flash.ts';
import { measureGroup, type OnProgress, type Variant } from './groups.ts';
import type { LoadSample, LoadTarget } from './load.ts';
import { describeMachine } from './machine.ts';
import { measureMemory } from './memory-figures.ts';
import type { BenchProfile } from './profiles.ts';
import {
  type BenchReport,
  type BenchResult,
  checkTargets,
  pairedRatio,
  toResult,
} from './report.ts';
import { RecentLines, serviceProcesses, startReferences } from './rig.ts';
import { round } from './stats.ts';

/** The parts of a run, in the order they are measured; `--only` picks some of them. */
export const BENCH_GROUPS = [
  'purchase',
  'flash',
  'catalog',
  'faults',
  'replicas',
  'growth',
] as const;
export type BenchGroup = (typeof BENCH_GROUPS)[number];

export interface BenchOptions {
  profile: BenchProfile;
  /** Measure only these groups (all when absent). */
  only?: readonly BenchGroup[] | undefined;
  /** A real PostgreSQL (admin URL); a scratch database is made on it. Embedded otherwise. */
  databaseUrl?: string | undefined;
  progress: OnProgress;
}

const order = (url: string): LoadTarget => ({ kind: 'order', url, eventIds: hotEventIds });
const get = (url: string): LoadTarget => ({ kind: 'get', url });

/**
 * Through each replica in turn: the database carries a setting to every replica within
 * FAULT_POLL_MS, but a PUT applies on the replica that took it at once, so the measurement
 * that follows sees every replica faulty from its first request.
 */
async function setFaults(system: LocalSystem, rate: number): Promise<void> {
  for (const url of system.logicUrls) {
    await new AdminClient(url, system.adminToken).putFaults({ rate, latencyMs: 0, mode: 'before' });
  }
}

/** Starts the shop and the reference servers, measures everything, stops it all again. */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const { profile, progress } = options;
  const engine = options.databaseUrl ? 'postgres' : 'embedded';
  const recent = new RecentLines();
  const tmp = await mkdtemp(join(tmpdir(), 'flame-bench-'));
  const scratch = options.databaseUrl
    ? await createScratchDatabase(options.databaseUrl, 'flame_bench')
    : undefined;
  const extras: BenchChild[] = [];
  let system: LocalSystem | undefined;
  try {
    progress(`starting the shop (2 logic replicas, ${engine} database)`);
    system = await startLocalSystem({
      frontendPort: 0,
      logicReplicas: 2,
      logicBasePort: 0,
      databaseUrl: scratch?.url,
      onLine: recent.sink,
    });
    await shapeData(system.databaseUrl, { events: HOT_EVENT_COUNT, orders: 0 });
    const references = await startReferences(system, join(tmp, 'catalog.json'), extras, recent);
    const machine = await describeMachine(system.databaseUrl, engine);
    const services = serviceProcesses(system, references);
    const startedAt = new Date().toISOString();
    const rig = { profile, progress, system, ...references };
    const groups = options.only ?? BENCH_GROUPS;
    const { value, memory } = await measureMemory(services, () => measureAll(rig, groups));
    const ratios = value.ratios as BenchReport['ratios'];
    return {
      profile: profile.name,
      machine,
      runs: profile.runs,
      durationS: profile.durationS,
      startedAt,
      results: value.results,
      ratios,
      ...(value.flash ? { flash: value.flash } : {}),
      targets: checkTargets(ratios, engine),
      memory,
    };
  } catch (error) {
    process.stderr.write(`last service lines:\n${recent.lines.slice(-40).join('\n')}\n`);
    throw error;
  } finally {
    progress('stopping');
    await Promise.all(extras.map((extra) => extra.child.stop()));
    await system?.stop();
    await scratch?.drop();
    await rm(tmp, { recursive: true, force: true });
  }
}

interface Rig {
  profile: BenchProfile;
  progress: OnProgress;
  system: LocalSystem;
  front1: BenchChild;
  gateway: BenchChild;
  bare: BenchChild;
}

type Measured = { results: BenchResult[]; ratios: Record<string, number>; flash?: FlashReport };

/** One result per variant, from the samples measureGroup returned in the same order. */
function resultsOf(
  variants: readonly Variant[],
  connections: number,
  samples: LoadSample[][],
): BenchResult[] {
  return variants.map((variant, i) => toResult(variant.name, connections, samples[i] ?? []));
}

const MEASURE: Record<BenchGroup, (rig: Rig) => Promise<Measured>> = {
  purchase: measurePurchase,
  flash: measureFlash,
  catalog: measureCatalog,
  faults: measureFaults,
  replicas: measureReplicas,
  growth: measureGrowth,
};

async function measureAll(rig: Rig, groups: readonly BenchGroup[]): Promise<Measured> {
  const parts: Measured[] = [];
  for (const group of BENCH_GROUPS)
    if (groups.includes(group)) parts.push(await MEASURE[group](rig));
  const flash = parts.find((part) => part.flash)?.flash;
  return {
    results: parts.flatMap((part) => part.results),
    ratios: Object.assign({}, ...parts.map((part) => part.ratios)),
    ...(flash ? { flash } : {}),
  };
}

/** Frontend vs one hop straight to logic vs a bare node:http gateway, at each level. */
async function measurePurchase({
  profile,
  progress,
  system,
  front1,
  gateway,
}: Rig): Promise<Measured> {
  const logic1 = system.logicUrls[0] as string;
  const variants: Variant[] = [
    { name: 'purchase.frontend', target: order(`${front1.url}/api/orders`) },
    { name: 'purchase.direct', target: order(`${logic1}/orders`) },
    { name: 'purchase.gateway', target: order(`${gateway.url}/orders`) },
  ];
  const results: BenchResult[] = [];
  const ratios: Record<string, number> = {};
  for (const connections of profile.purchaseConnections) {
    const samples = await measureGroup('purchase', variants, connections, profile, progress);
    const [front = [], direct = [], gw = []] = samples;
    results.push(...resultsOf(variants, connections, samples));
    const key = connections === profile.targetConnections ? '' : `At${connections}`;
    ratios[`purchaseVsDirect${key}`] = pairedRatio(front, direct, (s) => s.reqPerSec);
    ratios[`purchaseVsGateway${key}`] = pairedRatio(front, gw, (s) => s.reqPerSec);
    ratios[`gatewayVsDirect${key}`] = pairedRatio(gw, direct, (s) => s.reqPerSec);
  }
  return { results, ratios };
}

/**
 * One hot event sold out by a crowd of buyers: through the one-replica frontend, straight to
 * its logic replica, and — the reference — logic's one-purchase statement from a pool of `pg`
 * clients in this process, one transaction per purchase, the database's limit without batching.
 */
async function measureFlash({ profile, progress, system, front1 }: Rig): Promise<Measured> {
  const logic1 = system.logicUrls[0] as string;
  const variants = [
    httpVariant('flash.frontend', `${front1.url}/api/orders`),
    httpVariant('flash.direct', `${logic1}/orders`),
    statementVariant('flash.statement', system.databaseUrl),
  ];
  const pids = new Map([
    ['frontend (1 replica)', front1.child.pid],
    ['logic-1', system.logic[0]?.pid],
    ...(system.database ? [['embedded database', system.database.pid] as const] : []),
  ]);
  const where = {
    databaseUrl: system.databaseUrl,
    processes: { pids, postgres: system.database === undefined },
  };
  const samples = await measureFlashSale(variants, profile.flash, where, progress);
  const [front = [], direct = [], statement = []] = samples;
  return {
    results: [],
    ratios: {
      flashVsStatement: flashRatio(front, statement),
      flashDirectVsStatement: flashRatio(direct, statement),
    },
    flash: flashReport(variants, profile.flash, samples),
  };
}

async function measureCatalog({ profile, progress, front1, bare }: Rig): Promise<Measured> {
  const at = profile.targetConnections;
  const variants: Variant[] = [
    { name: 'catalog.frontend', target: get(`${front1.url}/api/events`) },
    { name: 'catalog.express', target: get(`${bare.url}/api/events`) },
  ];
  const samples = await measureGroup('catalog', variants, at, profile, progress);
  const [front = [], express = []] = samples;
  return {
    results: resultsOf(variants, at, samples),
    ratios: { catalogVsExpress: pairedRatio(front, express, (s) => s.reqPerSec) },
  };
}

/**
 * The purchase path clean, then with 20% of logic's requests failed before any work: through
 * the shop's own frontend over both replicas, as `npm start` runs it, and through the
 * one-replica frontend, which like kind's frontend (one Service URL) has a single URL to retry.
 */
async function measureFaults({ profile, progress, system, front1 }: Rig): Promise<Measured> {
  const at = profile.targetConnections;
  const shop = order(`${system.frontendUrl}/api/orders`);
  const single = order(`${front1.url}/api/orders`);
  const faulty = { before: () => setFaults(system, 0.2), after: () => setFaults(system, 0) };
  const variants: Variant[] = [
    { name: 'purchase.frontend.2replicas.clean', target: shop },
    { name: 'purchase.frontend.2replicas.faults20', target: shop, ...faulty },
    { name: 'purchase.frontend.1replica.clean', target: single },
    { name: 'purchase.frontend.1replica.faults20', target: single, ...faulty },
  ];
  const rounds = { ...profile, runs: profile.faultRuns };
  const samples = await measureGroup('faults', variants, at, rounds, progress);
  const [clean = [], faults = [], cleanSingle = [], faultsSingle = []] = samples;
  return {
    results: resultsOf(variants, at, samples),
    ratios: {
      faultP99VsClean: pairedRatio(faults, clean, (s) => s.p99),
      faultThroughputVsClean: pairedRatio(faults, clean, (s) => s.reqPerSec),
      faultP99VsClean1Replica: pairedRatio(faultsSingle, cleanSingle, (s) => s.p99),
    },
  };
}

async function measureReplicas({ profile, progress, system, front1 }: Rig): Promise<Measured> {
  const at = profile.targetConnections;
  const variants: Variant[] = [
    { name: 'purchase.frontend.1replica', target: order(`${front1.url}/api/orders`) },
    { name: 'purchase.frontend.2replicas', target: order(`${system.frontendUrl}/api/orders`) },
  ];
  const samples = await measureGroup('replicas', variants, at, profile, progress);
  const [one = [], two = []] = samples;
  return {
    results: resultsOf(variants, at, samples),
    ratios: { twoReplicasVsOne: pairedRatio(two, one, (s) => s.reqPerSec) },
  };
}

/** Purchase and catalog through the frontend as the tables grow, step by step. */
async function measureGrowth({ profile, progress, system, front1 }: Rig): Promise<Measured> {
  const results: BenchResult[] = [];
  const medians: { purchase: number; catalog: number }[] = [];
  const conns = profile.growthConnections;
  for (const size of profile.growthSteps) {
    progress(`growth: shaping data to ${size.events} events, ${size.orders} orders`);
    await shapeData(system.databaseUrl, size);
    const label = `${size.events}ev.${size.orders}ord`;
    const variants: Variant[] = [
      { name: `growth.purchase.${label}`, target: order(`${front1.url}/api/orders`) },
      { name: `growth.catalog.${label}`, target: get(`${front1.url}/api/events`) },
    ];
    const samples = await measureGroup(`growth ${label}`, variants, conns, profile, progress);
    const [bought, listed] = resultsOf(variants, conns, samples);
    if (!bought || !listed) continue;
    results.push(bought, listed);
    medians.push({ purchase: bought.reqPerSec.median, catalog: listed.reqPerSec.median });
  }
  const first = medians[0];
  const last = medians[medians.length - 1];
  if (!first || !last) return { results, ratios: {} };
  return {
    results,
    ratios: {
      growthPurchaseLargestVsSmallest: round(last.purchase / first.purchase, 3),
      growthCatalogLargestVsSmallest: round(last.catalog / first.catalog, 3),
    },
  };
}
