import { writeFile } from 'node:fs/promises';
import type { LocalSystem } from '../local/system.ts';
import { type BenchChild, spawnFrontend, startBareExpress, startGateway } from './children.ts';

/** Keeps the last lines of every service, to show when something goes wrong. */
export class RecentLines {
  readonly lines: string[] = [];
  readonly sink = (label: string, line: string) => {
    this.lines.push(`${label}: ${line}`);
    if (this.lines.length > 200) this.lines.shift();
  };
}

/** Starts children in parallel; every one that came up lands in `started`, to be stopped. */
export async function startTogether(
  started: BenchChild[],
  starting: [Promise<BenchChild>, Promise<BenchChild>, Promise<BenchChild>],
): Promise<[BenchChild, BenchChild, BenchChild]> {
  const settled = await Promise.allSettled(starting);
  for (const outcome of settled) if (outcome.status === 'fulfilled') started.push(outcome.value);
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  const [a, b, c] = settled as PromiseFulfilledResult<BenchChild>[];
  return [a?.value, b?.value, c?.value] as [BenchChild, BenchChild, BenchChild];
}

export interface References {
  front1: BenchChild;
  gateway: BenchChild;
  bare: BenchChild;
}

/** A one-replica frontend and the bare servers it is compared with (their catalog: the shop's). */
export async function startReferences(
  system: LocalSystem,
  catalogFile: string,
  extras: BenchChild[],
  recent: RecentLines,
): Promise<References> {
  const logic1 = system.logicUrls[0] as string;
  await writeFile(catalogFile, await (await fetch(`${system.frontendUrl}/api/events`)).text());
  const [front1, gateway, bare] = await startTogether(extras, [
    spawnFrontend('frontend-1r', [logic1], {}, recent.sink),
    startGateway(logic1, recent.sink),
    startBareExpress(catalogFile, recent.sink),
  ]);
  return { front1, gateway, bare };
}

/** Every process whose memory the report shows, by name. */
export function serviceProcesses(system: LocalSystem, { front1, gateway, bare }: References) {
  return new Map([
    ['frontend (1 replica)', front1.child.pid],
    ['frontend (2 replicas)', system.frontend.pid],
    ['logic-1', system.logic[0]?.pid],
    ['logic-2', system.logic[1]?.pid],
    ['bare gateway', gateway.child.pid],
    ['bare express', bare.child.pid],
    ...(system.database ? [['embedded database', system.database.pid] as const] : []),
  ]);
}
