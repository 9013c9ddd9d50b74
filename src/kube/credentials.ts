import { createHash, randomBytes } from 'node:crypto';
import { exists, type KubeTarget, kubectl, readSecretKey } from './kubectl.ts';
import { credentialsSecret } from './manifests.ts';
import { DATABASE_VOLUME, NAMESPACE, SECRET_KEYS, SECRET_NAME } from './settings.ts';
import { announce, ScriptError } from './shell.ts';

/**
 * Annotation on the database volume: a fingerprint of the password the database was first
 * started with (a hash of 192 random bits, so it gives nothing away). A Secret whose password
 * has another fingerprint cannot log in to that database.
 */
export const PASSWORD_FINGERPRINT_ANNOTATION = 'flametickets.dev/db-password-sha256';

export function passwordFingerprint(password: string): string {
  return createHash('sha256').update(password).digest('hex').slice(0, 16);
}

/** What to run to start over with an empty database, for the error messages below. */
function recovery(context: string): string {
  const k = `kubectl --context ${context} -n ${NAMESPACE}`;
  return (
    'To recover, either put the old password back in the Secret ' +
    `(${k} create secret generic ${SECRET_NAME} --from-literal=${SECRET_KEYS.dbPassword}=OLD ` +
    `--from-literal=${SECRET_KEYS.adminToken}=ANY-16+-CHARS), or start over with an empty ` +
    `database: ${k} delete statefulset postgres && ${k} delete pvc ${DATABASE_VOLUME} ` +
    `&& ${k} delete secret ${SECRET_NAME} --ignore-not-found, then npm run deploy.`
  );
}

/**
 * Makes sure the credentials Secret exists and matches the database volume, before anything
 * that uses them is applied. Creates the Secret only when there is neither Secret nor volume:
 * a new password for a database initialised with another one would crash-loop logic.
 */
export async function ensureCredentials(flame: KubeTarget): Promise<void> {
  const hasSecret = await exists(flame, 'secret', SECRET_NAME);
  const hasVolume = await exists(flame, 'pvc', DATABASE_VOLUME);
  if (!hasSecret && hasVolume) {
    throw new ScriptError(
      `Secret ${SECRET_NAME} is missing, but the database volume ${DATABASE_VOLUME} from an ` +
        'earlier deploy is still there. Its database only accepts the password it was ' +
        `created with, which went with the Secret. ${recovery(flame.context)}`,
    );
  }
  if (hasSecret && hasVolume) {
    const recorded = await volumeFingerprint(flame);
    const password = await readSecretKey(flame, SECRET_NAME, SECRET_KEYS.dbPassword);
    if (recorded && recorded !== passwordFingerprint(password)) {
      throw new ScriptError(
        `Secret ${SECRET_NAME} holds another database password than the one the database ` +
          `on volume ${DATABASE_VOLUME} was created with (the Secret was re-made?). ` +
          recovery(flame.context),
      );
    }
  }
  if (hasSecret) {
    announce(`Secret ${SECRET_NAME} exists — keeping it`);
    return;
  }
  announce(
    `Creating Secret ${SECRET_NAME} with a generated database password and admin token (not printed)`,
  );
  const secret = credentialsSecret(
    randomBytes(24).toString('hex'),
    randomBytes(32).toString('hex'),
  );
  // Through stdin, so the values are on no command line and in no file.
  await kubectl(`creating Secret ${SECRET_NAME}`, flame, ['create', '-f', '-'], {
    input: JSON.stringify(secret),
  });
}

async function volumeFingerprint(flame: KubeTarget): Promise<string> {
  const path = `{.metadata.annotations.${PASSWORD_FINGERPRINT_ANNOTATION.replace(/\./g, '\\.')}}`;
  return (
    await kubectl(`reading volume ${DATABASE_VOLUME}`, flame, [
      'get',
      'pvc',
      DATABASE_VOLUME,
      '-o',
      `jsonpath=${path}`,
    ])
  ).trim();
}

/** After a rollout: records on the volume which password its database was created with. */
export async function recordPasswordOnVolume(flame: KubeTarget): Promise<void> {
  if (!(await exists(flame, 'pvc', DATABASE_VOLUME))) return;
  const password = await readSecretKey(flame, SECRET_NAME, SECRET_KEYS.dbPassword);
  await kubectl(`annotating volume ${DATABASE_VOLUME}`, flame, [
    'annotate',
    '--overwrite',
    'pvc',
    DATABASE_VOLUME,
    `${PASSWORD_FINGERPRINT_ANNOTATION}=${passwordFingerprint(password)}`,
  ]);
}
