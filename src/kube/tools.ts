import { existsSync } from 'node:fs';
import { which } from 'zx';
import { BUILDX_HINT, findImageBuilder, type ImageBuilder } from './builder.ts';
import type { Settings } from './settings.ts';
import { $quiet, announce, ScriptError } from './shell.ts';

/** kind enforces NetworkPolicies with its default CNI from this release on. */
export const MIN_KIND_VERSION = '0.24.0';

/** One line each, printed when a tool is missing. */
export const INSTALL_HINTS: Readonly<Record<string, string>> = {
  docker: 'install Docker Engine or Docker Desktop: https://docs.docker.com/get-docker/',
  podman: 'install Podman: https://podman.io/docs/installation',
  kind: `install kind >= v${MIN_KIND_VERSION}: https://kind.sigs.k8s.io/docs/user/quick-start/#installation`,
  kubectl: 'install kubectl: https://kubernetes.io/docs/tasks/tools/#kubectl',
};

export type Tool = 'docker' | 'podman' | 'kind' | 'kubectl';

/** Parses "kind v0.24.0 go1.22.6 linux/amd64" (or any text with vX.Y.Z) into [x, y, z]. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function versionAtLeast(
  actual: readonly [number, number, number],
  minimum: readonly [number, number, number],
): boolean {
  for (let i = 0; i < 3; i++) {
    const a = actual[i] ?? 0;
    const m = minimum[i] ?? 0;
    if (a !== m) return a > m;
  }
  return true;
}

/**
 * Checks that every tool is on PATH (and that kind is new enough and the container engine
 * answers), reporting every problem at once with an install hint per missing tool. With
 * `build`, also that the images can be built (checkBuild), before anything is.
 */
export async function requireTools(
  tools: readonly Tool[],
  options: { build?: Settings } = {},
): Promise<void> {
  announce(`Checking ${tools.join(', ')}${options.build ? ' and the image builder' : ''}`);
  const problems: string[] = [];
  if (options.build) problems.push(...(await checkBuild(options.build)));
  for (const tool of tools) {
    const path = await which(tool, { nothrow: true });
    if (!path) {
      problems.push(`${tool} is not installed (not on PATH) — ${INSTALL_HINTS[tool]}`);
      continue;
    }
    const problem = await checkTool(tool);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) {
    throw new ScriptError(
      `missing or unusable tools:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

async function checkTool(tool: Tool): Promise<string | undefined> {
  if (tool === 'kind') {
    const result = await $quiet`kind version`.nothrow();
    const version = parseVersion(result.stdout);
    const minimum = parseVersion(MIN_KIND_VERSION) as [number, number, number];
    if (!result.ok || !version) return `could not read the kind version from \`kind version\``;
    if (!versionAtLeast(version, minimum)) {
      return `kind ${version.join('.')} is too old: v${MIN_KIND_VERSION} or newer is needed (it enforces NetworkPolicies) — ${INSTALL_HINTS.kind}`;
    }
    return undefined;
  }
  if (tool === 'docker' || tool === 'podman') {
    const result = await $quiet`${tool} info --format ${'{{json .}}'}`.nothrow();
    if (!result.ok) {
      return `${tool} is installed but its engine does not answer (\`${tool} info\` failed: ${firstLine(result.stderr)}) — start it and retry`;
    }
    return undefined;
  }
  const result = await $quiet`kubectl version --client`.nothrow();
  if (!result.ok) return `\`kubectl version --client\` failed: ${firstLine(result.stderr)}`;
  return undefined;
}

/**
 * What a build of the images needs besides the engine: a BuildKit builder (see builder.ts) and
 * the secret files the settings name. Every problem, each with what to do.
 */
export async function checkBuild(settings: Settings): Promise<string[]> {
  const problems: string[] = [];
  const builder = await imageBuilder(settings.containerCli);
  if ('problems' in builder) {
    const why = builder.problems.length
      ? builder.problems.join('; ')
      : `no ${settings.containerCli} client on PATH`;
    problems.push(
      `no ${settings.containerCli} client here can build the images with BuildKit: ${why} — ${BUILDX_HINT}`,
    );
  }
  const secrets = [
    ['FLAME_BUILD_CA (or NODE_EXTRA_CA_CERTS)', settings.buildCa],
    ['FLAME_BUILD_NPMRC', settings.buildNpmrc],
  ] as const;
  for (const [name, path] of secrets) {
    if (path && !existsSync(path)) problems.push(`${name} names ${path}, which does not exist`);
  }
  return problems;
}

const builders = new Map<string, ReturnType<typeof findImageBuilder>>();

/** The builder for `cli`, looked for once per process. */
export function imageBuilder(
  cli: Settings['containerCli'],
): Promise<ImageBuilder | { problems: string[] }> {
  let found = builders.get(cli);
  if (!found) {
    found = findImageBuilder(cli);
    builders.set(cli, found);
  }
  return found;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
