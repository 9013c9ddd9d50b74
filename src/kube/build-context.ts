import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';

// A CommonJS module whose typings declare an ES default export: required, so both agree.
const dockerignore = createRequire(import.meta.url)(
  '@balena/dockerignore',
) as typeof import('@balena/dockerignore').default;

/**
 * The files of the build context in `root` as Docker sends them: `.dockerignore` applied with
 * Docker's own matching rules, paths relative to `root` with `/`, sorted.
 */
export async function buildContextFiles(root: string): Promise<string[]> {
  const rules = (await readFile(join(root, '.dockerignore'), 'utf8').catch(() => ''))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const ignore = dockerignore({ ignorecase: false }).add(rules);
  const letBackIn = rules.filter((r) => r.startsWith('!')).map((r) => r.slice(1));
  // An ignored folder is skipped whole (node_modules, .git) unless a `!` rule reaches into it.
  const prune = (dir: string) =>
    ignore.ignores(dir) && !letBackIn.some((r) => r.includes('*') || r.startsWith(`${dir}/`));
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!prune(path)) await walk(path);
      } else if (entry.isFile() && !ignore.ignores(path)) {
        files.push(path);
      }
    }
  };
  await walk('');
  return files.sort();
}

/** The sources of a Dockerfile's `COPY` lines that read the build context (not `--from`). */
export function contextSources(dockerfileText: string): string[] {
  return DockerfileParser.parse(dockerfileText)
    .getInstructions()
    .filter((i) => i.getKeyword() === 'COPY' && !/--from=/.test(i.getTextContent()))
    .flatMap((i) =>
      i
        .getArguments()
        .map((a) => a.getValue())
        .filter((a) => !a.startsWith('--'))
        .slice(0, -1),
    )
    .map((source) => source.replace(/^\.\//, '').replace(/\/+$/, ''));
}

/**
 * A digest of everything an image is built from: the Dockerfile (base images pinned by digest),
 * the base image given instead of its default, if any, and the context files its COPY lines
 * read. It changes exactly when a rebuild could change the image, unlike the image id, which
 * BuildKit's provenance attestation changes on every build.
 */
export async function imageInputsDigest(
  root: string,
  dockerfile: string,
  nodeBaseImage?: string,
): Promise<string> {
  const text = await readFile(join(root, dockerfile), 'utf8');
  const sources = contextSources(text);
  const hash = createHash('sha256').update(`${dockerfile}\0${text}\0`);
  if (nodeBaseImage) hash.update(`NODE_IMAGE=${nodeBaseImage}\0`);
  for (const file of await buildContextFiles(root)) {
    if (!sources.some((s) => file === s || file.startsWith(`${s}/`))) continue;
    const content = createHash('sha256')
      .update(await readFile(join(root, file)))
      .digest('hex');
    hash.update(`${file}\0${content}\n`);
  }
  return `sha256:${hash.digest('hex')}`;
}
