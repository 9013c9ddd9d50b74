import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { parse } from 'yaml';
import { $, step } from './shell.ts';

/** Names of the kind clusters that exist now. */
export async function listClusters(): Promise<string[]> {
  const out = await step('listing kind clusters', $`kind get clusters`);
  // kind prints "No kind clusters found." on stderr and nothing on stdout when there are none.
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

export async function clusterExists(name: string): Promise<boolean> {
  return (await listClusters()).includes(name);
}

export interface HostPortMapping {
  hostPort: number;
  listenAddress: string;
}

/** The host ports a kind cluster config publishes (extraPortMappings of every node). */
export async function readHostPorts(configPath: string): Promise<HostPortMapping[]> {
  const config = parse(await readFile(configPath, 'utf8')) as {
    nodes?: { extraPortMappings?: { hostPort?: number; listenAddress?: string }[] }[];
  };
  return (config.nodes ?? []).flatMap((node) =>
    (node.extraPortMappings ?? [])
      .filter(
        (m): m is { hostPort: number; listenAddress?: string } => typeof m.hostPort === 'number',
      )
      .map((m) => ({ hostPort: m.hostPort, listenAddress: m.listenAddress ?? '0.0.0.0' })),
  );
}

/** Resolves true when nothing listens on address:port (we could bind it ourselves). */
export function portIsFree(port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: address, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}
