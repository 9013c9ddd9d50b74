import { hostPlatform, loadImage } from './images.ts';
import { POSTGRES_IMAGE, type Settings } from './settings.ts';
import { $, $quiet, announce, ScriptError } from './shell.ts';

/**
 * Pulls the pinned database image on this machine (by digest) and loads it into kind under its
 * tag, before anything is applied: the kind node then never pulls it from a registry in the
 * middle of a deploy, and a failed pull stops the deploy with a clear message instead of an
 * ImagePullBackOff.
 */
export async function loadPostgresImage(settings: Settings): Promise<string> {
  const cli = settings.containerCli;
  // Podman resolves short names through its own registries list; name the registry.
  const name = (ref: string) => (cli === 'podman' ? `docker.io/library/${ref}` : ref);
  const tag = name(POSTGRES_IMAGE.tag);
  const pinned = `${tag}@${POSTGRES_IMAGE.digest}`;
  const byDigest = `${tag.split(':')[0]}@${POSTGRES_IMAGE.digest}`;
  const present = await $quiet`${cli} image inspect --format ${'{{.Id}}'} ${byDigest}`.nothrow();
  if (present.ok) {
    announce(`${pinned} is already on this machine`);
  } else {
    announce(`Pulling ${pinned} on this machine (the cluster gets it from here)`);
    const pull = await $`${cli} pull --platform ${hostPlatform()} ${pinned}`.nothrow();
    if (!pull.ok) {
      const reason = pull.stderr.trim().split('\n').pop() ?? '';
      throw new ScriptError(
        `could not pull the database image ${pinned} (${reason}). Nothing was applied. ` +
          `Check the network and registry access (rate limited? \`${cli} login\`), then rerun ` +
          `npm run deploy, or pull it yourself first: ${cli} pull ${pinned}`,
      );
    }
  }
  const tagged = await $quiet`${cli} tag ${byDigest} ${tag}`.nothrow();
  if (!tagged.ok) {
    throw new ScriptError(`could not tag ${byDigest} as ${tag}: ${tagged.stderr.trim()}`);
  }
  await loadImage(settings, tag);
  return tag;
}
