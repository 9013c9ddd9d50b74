/**
 * The one registry of error codes the public and logic APIs answer with.
 * Codes are part of the contract: never rename or reuse one.
 */
export const ERROR_CODES = {
  INVALID_REQUEST: { status: 400, message: 'The request is not valid.' },
  UNAUTHORIZED: { status: 401, message: 'A valid admin token is required.' },
  NOT_FOUND: { status: 404, message: 'Nothing was found here.' },
  SOLD_OUT: { status: 409, message: 'Not enough seats are left for this order.' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: 'This Idempotency-Key was already used for a different order.',
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  HEADERS_TOO_LARGE: {
    status: 431,
    message: 'The request headers are too large (at most 16 KB in all).',
  },
  INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
  INJECTED_FAULT: { status: 500, message: 'A fault was injected on purpose (chaos testing).' },
  SERVICE_UNAVAILABLE: {
    status: 503,
    message: 'The ticket service is busy right now. Please try again in a few seconds.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  /** Seconds, sent as Retry-After. */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { details?: unknown; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message ?? ERROR_CODES[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options.details;
    this.retryAfter = options.retryAfter;
  }

  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}
