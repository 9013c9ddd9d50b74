// Purchase attempts that have not had a definite answer yet, kept in sessionStorage so a
// reload (or a crash of the tab's page) cannot forget one. An attempt is one Idempotency-Key
// with one body: resending it can only ever give the same order, so it is kept until the shop
// answers definitely, and only then may a new attempt (a new key) start for that event.

const STORAGE_KEY = 'flametickets.pending-attempts';

function readAll() {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '{}');
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

function writeAll(all) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(all));
}

/** A random UUID v4; crypto.randomUUID exists only on https and localhost pages. */
export function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The unresolved attempt for an event, if any: { key, eventId, eventName, quantity, tries }. */
export function pendingAttempt(eventId) {
  return readAll()[eventId];
}

export function pendingAttempts() {
  return Object.values(readAll());
}

/** Starts an attempt: a new key for this body. Call only when none is pending for the event. */
export function startAttempt(event, quantity) {
  const attempt = { key: newKey(), eventId: event.id, eventName: event.name, quantity, tries: 0 };
  const all = readAll();
  all[event.id] = attempt;
  writeAll(all);
  return attempt;
}

/** Counts a send, before it leaves: a reload during the request still knows it was sent. */
export function noteTry(attempt) {
  const all = readAll();
  const stored = all[attempt.eventId];
  if (!stored || stored.key !== attempt.key) return attempt;
  stored.tries += 1;
  writeAll(all);
  return stored;
}

/** The shop answered definitely: the attempt is over, the next purchase gets a new key. */
export function resolveAttempt(attempt) {
  const all = readAll();
  if (all[attempt.eventId]?.key === attempt.key) {
    delete all[attempt.eventId];
    writeAll(all);
  }
}

/**
 * Definite answers end an attempt: the order (2xx), or a 4xx that says why there is none.
 * 408 and 429 ask to come back later, and a 5xx or no answer may hide a committed order.
 */
export function isDefinite(status) {
  return (
    (status >= 200 && status < 300) ||
    (status >= 400 && status < 500 && status !== 408 && status !== 429)
  );
}
