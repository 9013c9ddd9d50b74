import { z } from 'zod';
import { envField, parseConfig } from '../shared/config.ts';

/**
 * The frontend's per-attempt timeout when nothing sets it (the frontend's own default). The
 * local target hands the value the run uses to the frontend it starts, so the two agree by
 * construction; the kind target reads it from the frontend Deployment.
 */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 2000;

/**
 * The variables `npm run chaos` reads, parsed with the services' own rules (an empty variable
 * is unset); a bad value throws a ConfigError that lists every problem.
 */
const chaosEnvSchema = z.object({
  /** The frontend's per-attempt timeout: slow-logic's injected latency goes above it. */
  LOGIC_ATTEMPT_TIMEOUT_MS: envField.milliseconds(DEFAULT_ATTEMPT_TIMEOUT_MS),
  /** Local target: a real PostgreSQL instead of the embedded engine (db-down is skipped). */
  DATABASE_URL: z.string().optional(),
});

export interface ChaosEnv {
  attemptTimeoutMs: number;
  databaseUrl: string | undefined;
}

export function loadChaosEnv(env: Readonly<Record<string, string | undefined>>): ChaosEnv {
  const parsed = parseConfig(chaosEnvSchema, env);
  return { attemptTimeoutMs: parsed.LOGIC_ATTEMPT_TIMEOUT_MS, databaseUrl: parsed.DATABASE_URL };
}
