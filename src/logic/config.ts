import { z } from 'zod';
import { FAULT_MODES } from '../shared/admin-api.ts';
import { envField, parseConfig, serviceEnvFields } from '../shared/config.ts';

export const LOGIC_DEFAULT_PORT = 8081;

/** Every variable the logic service reads; keys are the environment variable names. */
export const logicEnvSchema = z.object({
  ...serviceEnvFields(LOGIC_DEFAULT_PORT),
  /** postgres://user:password@host:port/database — required. */
  DATABASE_URL: z
    .string({ error: 'is required (postgres://user:password@host:port/database)' })
    .refine(
      (value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value),
      'must be a postgres:// URL',
    ),
  /**
   * Requests one client connection may carry before this replica asks the client to reconnect
   * (Connection: close). Behind a Service or a DNS alias that spreads connections, not
   * requests, it lets the frontends' keep-alive connections spread again over replicas that
   * were restarted; otherwise the last replica of a rolling restart may get no traffic at all.
   */
  KEEPALIVE_MAX_REQUESTS: envField.positiveInt(100),
  /** Connections in this replica's pool. */
  DB_POOL_MAX: envField.positiveInt(10),
  /** Bearer token for /admin/faults; unset → the admin routes do not exist. */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Share of requests hit by a fault at start, 0-1. */
  FAULT_RATE: z.coerce
    .number({ error: 'must be a number' })
    .min(0, 'must be between 0 and 1')
    .max(1, 'must be between 0 and 1')
    .default(0),
  /** Delay added to each request hit by a fault. */
  FAULT_LATENCY_MS: envField.milliseconds(0),
  /** before | after-commit | delay */
  FAULT_MODE: z
    .enum(FAULT_MODES, { error: `must be one of ${FAULT_MODES.join(', ')}` })
    .default('before'),
  /** Seed for the fault dice, so a run can be replayed. */
  FAULT_SEED: z.coerce.number({ error: 'must be a number' }).int('must be an integer').optional(),
});

export type LogicConfig = Readonly<z.infer<typeof logicEnvSchema>>;

export function loadLogicConfig(env: Readonly<Record<string, string | undefined>>): LogicConfig {
  return parseConfig(logicEnvSchema, env);
}
