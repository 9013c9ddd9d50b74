import { z } from 'zod';
import { envField, parseConfig } from '../shared/config.ts';

/** Variables read by `npm start` (the local runner). Logic/frontend variables pass through. */
export const localEnvSchema = z.object({
  /** Frontend port, the one you open in the browser. */
  PORT: envField.port(8080),
  /** Interface the frontend binds; unset keeps the shop on this machine (127.0.0.1). */
  HOST: z.string().optional(),
  /** Number of logic replicas. */
  LOGIC_REPLICAS: envField.positiveInt(2),
  /** Port of the first logic replica; the others count up from it. */
  LOGIC_BASE_PORT: envField.port(8081),
  /**
   * GET /metrics of the frontend on this port, of logic replica i on this + 1 + i; 0 picks
   * free ports (printed at start).
   */
  METRICS_BASE_PORT: envField.port(9464),
  /** Use this real PostgreSQL instead of the embedded engine. */
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL')
    .optional(),
  /** Where the embedded engine keeps its files. */
  DATA_DIR: z.string().default('.data'),
  /** Embedded engine's port; 0 picks a free one, so it never clashes with PostgreSQL on 5432. */
  EMBEDDED_DB_PORT: envField.port(0),
  /** Admin token for the logic replicas' /admin routes; generated when unset. */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type LocalConfig = Readonly<z.infer<typeof localEnvSchema>>;

export function loadLocalConfig(env: Readonly<Record<string, string | undefined>>): LocalConfig {
  return parseConfig(localEnvSchema, env);
}
