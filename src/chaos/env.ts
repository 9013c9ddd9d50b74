import { z } from 'zod';
import { frontendEnvSchema } from '../frontend/config.ts';
import { parseConfig } from '../shared/config.ts';

/**
 * The variables `npm run chaos` reads, parsed with the services' own rules (an empty variable
 * is unset, so it means the same default as in the frontend); a bad value throws a
 * ConfigError that lists every problem.
 */
const chaosEnvSchema = z.object({
  /** The frontend's per-attempt timeout: slow-logic's injected latency goes above it. */
  LOGIC_ATTEMPT_TIMEOUT_MS: frontendEnvSchema.shape.LOGIC_ATTEMPT_TIMEOUT_MS,
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
