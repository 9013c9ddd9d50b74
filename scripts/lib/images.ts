import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, ScriptError, say, tryRun } from './run.ts';
import { IMAGES, REPO_ROOT, type Settings } from './settings.ts';

export type Service = keyof typeof IMAGES;

export interface BuiltImage {
  service: Service;
  /** repository:tag, e.g. flame-logic:3f2c1a9b0d4e-dirty */
  ref: string;
  /** Content id from the container engine; changes whenever the image content does. */
  id: string;
}

/**
 * The image tag for the source in `cwd`: the short git commit, plus `-dirty` when tracked
 * files changed or untracked files exist. Never `latest`.
 */
export async function sourceTag(cwd: string = REPO_ROOT): Promise<string> {
  const head = await tryRun('git', ['-C', cwd, 'rev-parse', '--short=12', 'HEAD'], {
    silent: true,
  });
  if (!head.ok) {
    throw new ScriptError(
      `cannot derive an image tag: \`git rev-parse HEAD\` failed (${head.stderr.trim()}). ` +
        'The images are tagged with the git commit, so commit at least once first.',
    );
  }
  const status = await run(
    'checking for uncommitted changes',
    'git',
    ['-C', cwd, 'status', '--porcelain'],
    {
      silent: true,
    },
  );
  return `${head.stdout.trim()}${status.trim() ? '-dirty' : ''}`;
}

/** Builds both images from the repository root with the given tag. */
export async function buildImages(settings: Settings, tag: string): Promise<BuiltImage[]> {
  const cli = settings.containerCli;
  const built: BuiltImage[] = [];
  for (const service of Object.keys(IMAGES) as Service[]) {
    const { repository, dockerfile } = IMAGES[service];
    // Podman names local images localhost/<name>; the pods must ask for that same name.
    const ref = `${cli === 'podman' ? 'localhost/' : ''}${repository}:${tag}`;
    say(`Building ${ref} from ${dockerfile}`);
    await run(
      `building ${ref}`,
      cli,
      ['build', '-f', join(REPO_ROOT, dockerfile), '-t', ref, REPO_ROOT],
      {
        stream: true,
      },
    );
    const id = (
      await run(`inspecting ${ref}`, cli, ['image', 'inspect', '--format', '{{.Id}}', ref], {
        silent: true,
      })
    ).trim();
    built.push({ service, ref, id });
  }
  return built;
}

/**
 * Loads an image into the kind cluster's nodes. `kind load docker-image` first; when it fails
 * (podman, Docker's containerd image store) falls back to `save` + `kind load image-archive`.
 */
export async function loadImage(settings: Settings, ref: string): Promise<void> {
  const cluster = settings.clusterName;
  say(`Loading ${ref} into kind cluster "${cluster}"`);
  const direct = await tryRun('kind', ['load', 'docker-image', ref, '--name', cluster]);
  if (direct.ok) return;
  say(
    `kind load docker-image failed (${direct.stderr.trim().split('\n').pop() ?? ''}); trying an image archive`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'flame-image-'));
  try {
    const archive = join(dir, 'image.tar');
    await run(`saving ${ref} to an archive`, settings.containerCli, ['save', '-o', archive, ref]);
    await run(`loading the archive of ${ref} into kind`, 'kind', [
      'load',
      'image-archive',
      archive,
      '--name',
      cluster,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Builds both images for the current source and loads them into the cluster. */
export async function buildAndLoadImages(settings: Settings): Promise<BuiltImage[]> {
  const tag = await sourceTag();
  say(`Image tag from the source: ${tag}`);
  const images = await buildImages(settings, tag);
  for (const image of images) await loadImage(settings, image.ref);
  return images;
}
