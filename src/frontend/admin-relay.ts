import { type Request, type Response, Router } from 'express';
import { ADMIN_ROUTES } from '../shared/admin-api.ts';
import { faultUpdateSchema } from '../shared/admin-schemas.ts';
import { requireBearer } from '../shared/bearer-token.ts';
import { AppError } from '../shared/errors.ts';
import { jsonBody } from '../shared/http.ts';
import { invalidRequest } from '../shared/order-request.ts';
import {
  type CallLimits,
  type LogicCall,
  type LogicClient,
  type LogicResponse,
  LogicUnavailableError,
} from './logic-client.ts';
import { relay } from './relay.ts';

/**
 * Admin calls' own limits, never the purchase breaker's: an audit of a large catalog may take
 * longer than one purchase attempt may, and with faults on every purchase the breaker is open
 * exactly when "Clear faults" is needed. The console waits longer than this deadline.
 */
export const ADMIN_CALL_LIMITS: CallLimits = Object.freeze({
  attemptTimeoutMs: 5000,
  deadlineMs: 10_000,
});

export interface AdminRelayDeps {
  token: string;
  replica: string;
  client: LogicClient;
  bodyLimit: string;
}

/** What the console shows of this frontend replica: who it is and its breaker to logic. */
export interface FrontendStatus {
  replica: string;
  breaker: string;
}

/**
 * `/api/admin/*` for the console: the admin token is checked here, then the call goes on to
 * logic with the token both services share — through the shop's client and its retries over
 * the replicas, but past its breaker and with ADMIN_CALL_LIMITS. Exists only when the frontend
 * has an ADMIN_TOKEN.
 */
export function adminRelay(deps: AdminRelayDeps): Router {
  const { client } = deps;
  const router = Router();
  router.use(requireBearer(deps.token));

  /** One call to logic with the shared token, answered to the console as logic answered. */
  const forward = async (
    req: Request,
    res: Response,
    call: Pick<LogicCall, 'method' | 'path' | 'body' | 'idempotent'>,
  ) => {
    const headers = { 'x-request-id': String(req.id), authorization: `Bearer ${deps.token}` };
    let response: LogicResponse;
    try {
      response = await client.callPastBreaker(
        { ...call, headers, log: req.log },
        ADMIN_CALL_LIMITS,
      );
    } catch (error) {
      if (!(error instanceof LogicUnavailableError)) throw error;
      // Says what happened, for the person at the console: which call, and how it failed.
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `Logic did not answer ${call.method} ${call.path.split('?')[0]}: ${error.message}.`,
        { retryAfter: 1, cause: error },
      );
    }
    relay(res, response);
  };

  router.get('/status', (_req, res) => {
    res.json({ replica: deps.replica, breaker: client.breakerState } satisfies FrontendStatus);
  });

  router.get('/faults', (req, res) =>
    forward(req, res, { method: 'GET', path: ADMIN_ROUTES.faults, idempotent: true }),
  );

  router.put('/faults', jsonBody(deps.bodyLimit), async (req, res) => {
    const parsed = faultUpdateSchema.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error, 'The fault settings are not valid.');
    // Setting the same values twice is the same as once: safe to retry.
    await forward(req, res, {
      method: 'PUT',
      path: ADMIN_ROUTES.faults,
      body: parsed.data,
      idempotent: true,
    });
  });

  router.get('/audit', (req, res) => {
    const events = typeof req.query.events === 'string' ? req.query.events : undefined;
    const query = events === undefined ? '' : `?events=${encodeURIComponent(events)}`;
    return forward(req, res, {
      method: 'GET',
      path: `${ADMIN_ROUTES.audit}${query}`,
      idempotent: true,
    });
  });

  // Never retried: a retry would crash a second replica.
  router.post('/crash', (req, res) =>
    forward(req, res, { method: 'POST', path: ADMIN_ROUTES.crash, idempotent: false }),
  );

  return router;
}
