import type { LogicResponse } from './logic-client.ts';

/**
 * `ada.lovelace@example.com` → `a***@example.com`: enough for the buyer to recognise their
 * address, too little for anyone holding an order id to learn it.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/** The public order lookup never shows an email in clear; other answers pass unchanged. */
export function withMaskedEmail(response: LogicResponse): LogicResponse {
  const order = (response.body as { order?: { email?: unknown } } | undefined)?.order;
  if (typeof order?.email !== 'string') return response;
  return { ...response, body: { order: { ...order, email: maskEmail(order.email) } } };
}
