// What the docker target's parts share: the engine, the shop's names and how to reach its
// logic containers. Its own file so the target and its controls import it, not each other.
import type { DockerEngine } from '../../docker/engine.ts';
import type { ContainerSettings, shopNames } from '../../docker/settings.ts';

/** What the parts of the docker target share. */
export interface DockerShop {
  engine: DockerEngine;
  settings: ContainerSettings;
  names: ReturnType<typeof shopNames>;
  token: string;
  /** A logic container's published API now (its host port changes when it restarts). */
  logicUrl(name: string): Promise<string>;
  /** Waits until every logic container answers /readyz; seconds it took. */
  allLogicReady(): Promise<number>;
}

/** Seconds `work` took, to the hundredth. */
export async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await work();
  return Math.round((Date.now() - started) / 10) / 100;
}
