import { z } from 'zod';
import { envField, parseConfig, serviceEnvFields } from '../shared/config.ts';

export const FRONTEND_DEFAULT_PORT = 8080;

/** Every variable the frontend reads; keys are the environment variable names. */
export const frontendEnvSchema = z.object({
  ...serviceEnvFields(FRONTEND_DEFAULT_PORT),
  /** Logic base URL, or a comma-separated list of replicas to spread calls over. */
  LOGIC_URL: z
    .string()
    .default('http://localhost:8081')
    .transform((value) =>
      value
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(envField.url(), { error: 'must list at least one URL' })
        .min(1, 'must list at least one URL'),
    ),
  /** Timeout of one attempt to logic. */
  LOGIC_ATTEMPT_TIMEOUT_MS: envField.milliseconds(2000),
  /** Overall deadline for one call to logic, retries included. */
  LOGIC_DEADLINE_MS: envField.milliseconds(8000),
  /** Retries after the first attempt. */
  LOGIC_RETRIES: z.coerce.number({ error: 'must be a number' }).int().min(0).max(10).default(4),
  /**
   * First backoff step (Envoy's default base interval), used from the second retry on: the
   * first retry goes at once. Doubles each retry, with full jitter.
   */
  RETRY_BASE_MS: envField.milliseconds(25),
  /** Cap of one backoff delay. */
  RETRY_MAX_MS: envField.milliseconds(1000),
  /** Cap for a Retry-After sent by logic. */
  RETRY_AFTER_MAX_MS: envField.milliseconds(2000),
  /** Consecutive failed calls that open the circuit breaker. */
  BREAKER_THRESHOLD: envField.positiveInt(5),
  /** Time the breaker stays open before a half-open probe. */
  BREAKER_HALF_OPEN_MS: envField.milliseconds(5000),
  /** How long a catalog read from logic is served as fresh; 0 asks logic every time. */
  CATALOG_MAX_AGE_MS: envField.milliseconds(200),
  /**
   * Bearer token of the console's /api/admin relay, the same as logic's (one Secret on kind);
   * unset → no relay, and /console can only say so.
   */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type FrontendConfig = Readonly<z.infer<typeof frontendEnvSchema>>;

export function loadFrontendConfig(
  env: Readonly<Record<string, string | undefined>>,
): FrontendConfig {
  return parseConfig(frontendEnvSchema, env);
}
