import { type Request, Router } from 'express';
import { ADMIN_ROUTES } from '../shared/admin-api.ts';
import { faultUpdateSchema } from '../shared/admin-schemas.ts';
import { requireBearer } from '../shared/bearer-token.ts';
import { jsonBody } from '../shared/http.ts';
import { invalidRequest } from '../shared/order-request.ts';
import type { LogicClient } from './logic-client.ts';
import { relay } from './relay.ts';

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
 * logic (through the same client, breaker and retries as the shop's own calls) with the token
 * both services share. Exists only when the frontend has an ADMIN_TOKEN.
 */
export function adminRelay(deps: AdminRelayDeps): Router {
  const { client } = deps;
  const router = Router();
  router.use(requireBearer(deps.token));
  const headers = (req: Request) => ({
    'x-request-id': String(req.id),
    authorization: `Bearer ${deps.token}`,
  });

  router.get('/status', (_req, res) => {
    res.json({ replica: deps.replica, breaker: client.breakerState } satisfies FrontendStatus);
  });

  router.get('/faults', async (req, res) => {
    const path = ADMIN_ROUTES.faults;
    relay(
      res,
      await client.call({
        method: 'GET',
        path,
        headers: headers(req),
        idempotent: true,
        log: req.log,
      }),
    );
  });

  router.put('/faults', jsonBody(deps.bodyLimit), async (req, res) => {
    const parsed = faultUpdateSchema.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error, 'The fault settings are not valid.');
    const response = await client.call({
      method: 'PUT',
      path: ADMIN_ROUTES.faults,
      body: parsed.data,
      headers: headers(req),
      // Setting the same values twice is the same as once.
      idempotent: true,
      log: req.log,
    });
    relay(res, response);
  });

  router.get('/audit', async (req, res) => {
    const events = typeof req.query.events === 'string' ? req.query.events : undefined;
    const query = events === undefined ? '' : `?events=${encodeURIComponent(events)}`;
    const path = `${ADMIN_ROUTES.audit}${query}`;
    relay(
      res,
      await client.call({
        method: 'GET',
        path,
        headers: headers(req),
        idempotent: true,
        log: req.log,
      }),
    );
  });

  router.post('/crash', async (req, res) => {
    // Never retried: a retry would crash a second replica.
    const path = ADMIN_ROUTES.crash;
    relay(
      res,
      await client.call({
        method: 'POST',
        path,
        headers: headers(req),
        idempotent: false,
        log: req.log,
      }),
    );
  });

  return router;
}
