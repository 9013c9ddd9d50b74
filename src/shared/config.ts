import { hostname } from 'node:os';
import { z } from 'zod';

/** Thrown by parseConfig with one line per problem, so a bad deploy is fixed in one go. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses environment variables with a zod object schema whose keys are the variable names.
 * Empty strings count as unset, so `FOO=` falls back to the default.
 */
export function parseConfig<S extends z.ZodObject>(schema: S, env: Env): Readonly<z.infer<S>> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const got = input[name];
        return `${name} ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
      }),
    );
  }
  return Object.freeze(result.data);
}

/** Reusable field schemas for environment variables. */
export const envField = {
  port: (fallback: number) =>
    z.coerce
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .min(0, 'must be 0-65535')
      .max(65535, 'must be 0-65535')
      .default(fallback),
  milliseconds: (fallback: number) =>
    z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int('must be an integer number of milliseconds')
      .min(0, 'must be >= 0')
      .default(fallback),
  positiveInt: (fallback: number) =>
    z.coerce
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .min(1, 'must be >= 1')
      .default(fallback),
  logLevel: () =>
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  url: () =>
    z.string().refine((value) => URL.canParse(value), 'must be a URL like http://host:port'),
};

/**
 * The variables both services read the same way — where they listen, how they shut down, how
 * they log, who they are — each spread into the service's own schema.
 */
export function serviceEnvFields(defaultPort: number) {
  return {
    /** TCP port of the service's API (the frontend: web UI and /api). */
    PORT: envField.port(defaultPort),
    /** Interface to bind; 0.0.0.0 in containers. */
    HOST: z.string().default('0.0.0.0'),
    /**
     * Port of GET /metrics (Prometheus text), apart from the API: unset → no metrics listener
     * (a service run by hand or by a test binds nothing extra); 0 picks a free port, logged as
     * `metricsPort`.
     */
    METRICS_PORT: z.coerce
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .min(0, 'must be 0-65535')
      .max(65535, 'must be 0-65535')
      .optional(),
    /** Time to keep serving after SIGTERM with readiness 503. */
    SHUTDOWN_DRAIN_MS: envField.milliseconds(3000),
    /** Hard limit for the whole shutdown. */
    SHUTDOWN_TIMEOUT_MS: envField.milliseconds(20_000),
    /** Largest accepted request body. */
    BODY_LIMIT: z.string().default('16kb'),
    LOG_LEVEL: envField.logLevel(),
    /** Names this replica in logs and x-served-by (downward API in Kubernetes). */
    POD_NAME: z.string().default(hostname()),
  };
}

/** For main.ts: parse or print every problem and exit 1. */
export function loadOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
