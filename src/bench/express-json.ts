import express, { type Express } from 'express';

/** The ceiling for the catalog: Express answering GET /api/events with a JSON body it holds. */
export function createBareExpressApp(body: unknown): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/api/events', (_req, res) => void res.json(body));
  return app;
}
