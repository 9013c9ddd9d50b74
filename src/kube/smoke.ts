import { randomUUID } from 'node:crypto';

export interface SmokeResult {
  orderId: string;
  eventId: string;
  /** The logic replica that served the purchase (x-served-by), if the frontend said. */
  servedBy: string | null;
}

/**
 * One real purchase through the public API: list events, buy one seat of an event that has
 * one left, then send the same request again and expect the same order back (idempotent
 * replay). Throws an Error saying which step went wrong; callers retry it with waitFor.
 */
export async function smokePurchase(
  baseUrl: string,
  { requestTimeoutMs = 5000 } = {},
): Promise<SmokeResult> {
  const signal = () => AbortSignal.timeout(requestTimeoutMs);
  const eventsResponse = await fetch(`${baseUrl}/api/events`, { signal: signal() });
  if (eventsResponse.status !== 200)
    throw new Error(`GET /api/events answered ${eventsResponse.status}`);
  const { events } = (await eventsResponse.json()) as {
    events?: { id: string; available: number }[];
  };
  const event = events?.find((e) => e.available > 0);
  if (!event) throw new Error('GET /api/events listed no event with a seat left');

  const body = JSON.stringify({
    eventId: event.id,
    quantity: 1,
    email: 'smoke-test@flametickets.invalid',
  });
  const key = `deploy-smoke-${randomUUID()}`;
  const order = async (): Promise<Response> =>
    fetch(`${baseUrl}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body,
      signal: signal(),
    });

  const first = await order();
  if (first.status !== 201) {
    throw new Error(
      `POST /api/orders answered ${first.status}: ${(await first.text()).slice(0, 200)}`,
    );
  }
  const created = (await first.json()) as { order: { id: string } };
  const again = await order();
  // A replay answers what the first request got (201), marked Idempotent-Replayed (docs/API.md).
  if (again.status !== 201 || again.headers.get('idempotent-replayed') !== 'true') {
    throw new Error(
      `the idempotent replay answered ${again.status} (Idempotent-Replayed: ${again.headers.get('idempotent-replayed')}), not 201 marked replayed`,
    );
  }
  const replayed = (await again.json()) as { order: { id: string } };
  if (replayed.order.id !== created.order.id) {
    throw new Error(`the replay returned order ${replayed.order.id}, not ${created.order.id}`);
  }
  return {
    orderId: created.order.id,
    eventId: event.id,
    servedBy: first.headers.get('x-served-by'),
  };
}
