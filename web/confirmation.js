// What "confirmed" means for a purchase answer: one rule for the page (app.js) and for the
// chaos checker (src/chaos/core/load/shop-client.ts), which imports this file as it is.

/**
 * The order a purchase answer confirms: a 2xx whose body holds the order (with its id), or
 * undefined. A 2xx without one (a "pending", a body lost) confirms nothing: the page keeps the
 * attempt open, and the checker counts it as a success without an order.
 */
export function confirmedOrder(status, body) {
  if (status < 200 || status >= 300) return undefined;
  const order = body?.order;
  return order && typeof order === 'object' && typeof order.id === 'string' ? order : undefined;
}
