import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageInputsDigest } from './build-context.ts';
import type { ImageBuilder } from './builder.ts';
import { IMAGES, REPO_ROOT, type Settings } from './settings.ts';
import { $, $quiet, announce, ScriptError, step } from './shell.ts';
import { checkBuild, imageBuilder } from './tools.ts';
import { withProgress } from './wait.ts';

export type Service = keyof typeof IMAGES;

export interface BuiltImage {
  service: Service;
  /** repository:tag, e.g. flame-logic:3f2c1a9b0d4e-dirty */
  ref: string;
  /**
   * Digest of what the image is built from (see imageInputsDigest): the same for an unchanged
   * source, so an unchanged deploy leaves the pod templates, and the pods, alone.
   */
  inputs: string;
}

/**
 * The image tag for the source in `cwd`: the short git commit, plus `-dirty` when tracked
 * files changed or untracked files exist. Never `latest`.
 */
export async function sourceTag(cwd: string = REPO_ROOT): Promise<string> {
  const head = await $quiet`git -C ${cwd} rev-parse --short=12 HEAD`.nothrow();
  if (!head.ok) {
    throw new ScriptError(
      `cannot derive an image tag: \`git rev-parse HEAD\` failed (${head.stderr.trim()}). ` +
        'The images are tagged with the git commit, so commit at least once first.',
    );
  }
  const status = await step(
    'checking for uncommitted changes',
    $quiet`git -C ${cwd} status --porcelain`,
  );
  return `${head.stdout.trim()}${status.trim() ? '-dirty' : ''}`;
}

/**
 * The build command's arguments: the builder's own (buildx: `--load`, no provenance), the base
 * image when the settings name one, and the CA and npmrc for `npm ci` as BuildKit secrets
 * (mounted for that one command, never in a layer).
 */
export function buildArgs(
  builder: Pick<ImageBuilder, 'build'>,
  settings: Pick<Settings, 'nodeBaseImage' | 'buildCa' | 'buildNpmrc'>,
  dockerfile: string,
  ref: string,
): string[] {
  const extra: string[] = [];
  if (settings.nodeBaseImage) extra.push('--build-arg', `NODE_IMAGE=${settings.nodeBaseImage}`);
  if (settings.buildCa) extra.push('--secret', `id=npm_ca,src=${settings.buildCa}`);
  if (settings.buildNpmrc) extra.push('--secret', `id=npmrc,src=${settings.buildNpmrc}`);
  return [...builder.build, ...extra, '-f', join(REPO_ROOT, dockerfile), '-t', ref, REPO_ROOT];
}

/** The builder, or a ScriptError saying what is missing — before anything is built. */
async function requireBuilder(settings: Settings): Promise<ImageBuilder> {
  const problems = await checkBuild(settings);
  const builder = await imageBuilder(settings.containerCli);
  if (problems.length > 0 || 'problems' in builder) {
    throw new ScriptError(
      `cannot build the images:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return builder;
}

/** Builds both images from the repository root with the given tag. */
export async function buildImages(settings: Settings, tag: string): Promise<BuiltImage[]> {
  const cli = settings.containerCli;
  const builder = await requireBuilder(settings);
  announce(`Building with ${builder.describe}`);
  const built: BuiltImage[] = [];
  for (const service of Object.keys(IMAGES) as Service[]) {
    const { repository, dockerfile } = IMAGES[service];
    // Podman names local images localhost/<name>; the pods must ask for that same name.
    const ref = `${cli === 'podman' ? 'localhost/' : ''}${repository}:${tag}`;
    announce(`Building ${ref} from ${dockerfile}`);
    const args = buildArgs(builder, settings, dockerfile, ref);
    await step(
      `building ${ref}`,
      $({ env: { ...process.env, ...builder.env } })`${builder.command} ${args}`,
    );
    const present = await $quiet`${cli} image inspect --format ${'{{.Id}}'} ${ref}`.nothrow();
    if (!present.ok) {
      throw new ScriptError(
        `built ${ref}, but it is not in the local image store (\`${cli} image inspect\` failed: ` +
          `${present.stderr.trim()}). With a buildx builder of another driver, check that ` +
          `\`${cli} buildx ls\` shows the default docker builder in use.`,
      );
    }
    const inputs = await imageInputsDigest(REPO_ROOT, dockerfile, settings.nodeBaseImage);
    built.push({ service, ref, inputs });
  }
  return built;
}

/** `linux/amd64` or `linux/arm64`: the platform of this machine, and so of the kind node. */
export function hostPlatform(arch: string = process.arch): string {
  const names: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
  };
  return `linux/${names[arch] ?? arch}`;
}

/**
 * Loads an image into the kind cluster's nodes. `kind load docker-image` first; when it fails
 * (podman; Docker's containerd image store holding a multi-platform index: kind#3795) it saves
 * this platform alone (`docker image save --platform`, as kind documents) and loads the archive.
 */
export async function loadImage(settings: Settings, ref: string): Promise<void> {
  const cluster = settings.clusterName;
  announce(`Loading ${ref} into kind cluster "${cluster}"`);
  const progress = { everyMs: settings.progressS * 1000, report: announce };
  const direct = await withProgress(`kind to load ${ref}`, undefined, progress, () =>
    $`kind load docker-image ${ref} --name ${cluster}`.nothrow(),
  );
  if (direct.ok) return;
  announce(
    `kind load docker-image failed (${direct.stderr.trim().split('\n').pop() ?? ''}); loading a single-platform archive instead`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'flame-image-'));
  try {
    const archive = join(dir, 'image.tar');
    await saveArchive(settings.containerCli, ref, archive);
    await withProgress(`kind to load the archive of ${ref}`, undefined, progress, () =>
      step(
        `loading the archive of ${ref} into kind`,
        $`kind load image-archive ${archive} --name ${cluster}`,
      ),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Saves this platform of `ref` to `archive`. `docker image save --platform` needs Docker >= 28;
 * an older one (whose classic image store has one platform anyway) gets a plain save.
 */
async function saveArchive(cli: Settings['containerCli'], ref: string, archive: string) {
  const what = `saving ${ref} to an archive`;
  if (cli === 'podman') {
    await step(what, $`${cli} save -o ${archive} ${ref}`);
    return;
  }
  const args = ['image', 'save', '--platform', hostPlatform(), '-o', archive, ref];
  const single = await $`${cli} ${args}`.nothrow();
  if (single.ok) return;
  if (!/unknown flag/.test(single.stderr)) {
    throw new ScriptError(`${what} failed: \`${cli} ${args.join(' ')}\`: ${single.stderr.trim()}`);
  }
  await step(what, $`${cli} image save -o ${archive} ${ref}`);
}

/** Builds both images for the current source and loads them into the cluster. */
export async function buildAndLoadImages(settings: Settings): Promise<BuiltImage[]> {
  const tag = await sourceTag();
  announce(`Image tag from the source: ${tag}`);
  const images = await buildImages(settings, tag);
  for (const image of images) await loadImage(settings, image.ref);
  return images;
}
