// FlameTickets web UI: plain ES modules, no build step.
// Each purchase attempt is one Idempotency-Key with one body, kept (in sessionStorage) until the
// shop answers definitely. While it is unresolved the card says so, the quantity is locked to
// it, and "Try again" resends exactly the same key and body, so a lost answer, a 503 or a
// reload can never buy twice. See attempts.js.

import {
  isDefinite,
  noteTry,
  pendingAttempt,
  pendingAttempts,
  resolveAttempt,
  startAttempt,
} from './attempts.js';
import { confirmedOrder } from './confirmation.js';

const MAX_PER_ORDER = 10;
const eventsList = document.querySelector('#events');
const eventsStatus = document.querySelector('#events-status');
const staleBanner = document.querySelector('#stale-banner');
const result = document.querySelector('#result');
const catalogServedBy = document.querySelector('#catalog-served-by');
const template = document.querySelector('#event-template');

const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' });
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** Keys being sent right now: a second click on the same attempt waits for the first. */
const inFlight = new Set();
/** The events of the last list shown, so a card can be redrawn without asking the shop. */
const shownEvents = new Map();

function friendlyMessage(status, body) {
  const code = body?.error?.code;
  switch (code) {
    case 'SOLD_OUT':
      return body.error.message || 'Sorry, not enough seats are left.';
    case 'INVALID_REQUEST':
      return `That order is not valid: ${body.error.details?.map((d) => `${d.field} ${d.problem}`).join('; ') || body.error.message}`;
    case 'NOT_FOUND':
      return 'This event is no longer on sale.';
    case 'IDEMPOTENCY_KEY_REUSED':
      return 'This purchase attempt was already used for a different order. Please start again.';
    case 'SERVICE_UNAVAILABLE':
      return body.error.message;
    default:
      return status >= 500 || status === 0
        ? 'The ticket service is busy right now. Please try again in a few seconds.'
        : body?.error?.message || 'Something went wrong.';
  }
}

function unresolvedText(attempt) {
  const tickets = attempt.quantity === 1 ? '1 ticket' : `${attempt.quantity} tickets`;
  return `Your order for ${tickets} may have gone through. Try again — you will not be charged twice.`;
}

function showResult(kind, title, lines) {
  result.hidden = false;
  result.className = `result ${kind}`;
  result.replaceChildren();
  const heading = document.createElement('h2');
  heading.textContent = title;
  result.append(heading);
  for (const line of lines) {
    const p = document.createElement('p');
    if (typeof line === 'string') p.textContent = line;
    else p.append(...line);
    result.append(p);
  }
  result.focus();
}

function code(text) {
  const el = document.createElement('code');
  el.textContent = text;
  return el;
}

function fillQuantities(select, event, pending) {
  const most = Math.min(MAX_PER_ORDER, Math.max(1, event.available, pending?.quantity ?? 0));
  for (let n = 1; n <= most; n++) select.append(new Option(String(n), String(n)));
  if (pending) select.value = String(pending.quantity);
  select.disabled = Boolean(pending) || event.available === 0;
}

/** Attempts (by key) whose "start a different order" warning is open: a redraw keeps it open. */
const askingToStartOver = new Set();

/** The unresolved attempt on a card: what may have happened, and the two ways on. */
function showPending(item, event, pending) {
  const box = item.querySelector('.pending');
  box.hidden = false;
  box.querySelector('.pending-text').textContent = unresolvedText(pending);
  const warning = box.querySelector('.pending-warning');
  warning.hidden = !askingToStartOver.has(pending.key);
  box.querySelector('.start-over').addEventListener('click', () => {
    askingToStartOver.add(pending.key);
    warning.hidden = false;
    warning.querySelector('.start-over-confirm').focus();
  });
  warning.querySelector('.start-over-cancel').addEventListener('click', () => {
    askingToStartOver.delete(pending.key);
    warning.hidden = true;
  });
  warning.querySelector('.start-over-confirm').addEventListener('click', () => {
    askingToStartOver.delete(pending.key);
    resolveAttempt(pending);
    redrawCard(event.id);
  });
}

function renderEvent(event) {
  const item = template.content.firstElementChild.cloneNode(true);
  const pending = pendingAttempt(event.id);
  item.dataset.eventId = event.id;
  item.querySelector('.event-name').textContent = event.name;
  item.querySelector('.event-venue').textContent = event.venue;
  const date = item.querySelector('.event-date');
  date.dateTime = event.startsAt;
  date.textContent = when.format(new Date(event.startsAt));
  item.querySelector('.event-price').textContent =
    event.priceCents === 0 ? 'Free' : money.format(event.priceCents / 100);
  const seats = item.querySelector('.event-seats');
  seats.textContent =
    event.available > 0
      ? `${event.available} of ${event.capacity} seats left`
      : pending
        ? 'No seats left to buy: yours may be among the last ones taken'
        : 'Sold out';
  seats.classList.toggle('none', event.available === 0);
  seats.classList.toggle('low', event.available > 0 && event.available <= 10);

  const select = item.querySelector('.quantity');
  const selectId = `qty-${event.id}`;
  select.id = selectId;
  item.querySelector('.quantity-label').htmlFor = selectId;
  fillQuantities(select, event, pending);
  const button = item.querySelector('.buy-button');
  button.setAttribute('aria-label', `${pending ? 'Try again' : 'Buy tickets'} for ${event.name}`);
  if (pending) {
    button.textContent = 'Try again';
    showPending(item, event, pending);
  } else if (event.available === 0) {
    button.disabled = true;
    button.textContent = 'Sold out';
  }
  item.querySelector('.buy-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const attempt = pendingAttempt(event.id) ?? startAttempt(event, Number(select.value));
    void send(attempt, button);
  });
  return item;
}

async function loadEvents() {
  eventsList.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch('/api/events', { headers: { accept: 'application/json' } });
    const body = await response.json().catch(() => undefined);
    if (!response.ok) {
      eventsStatus.textContent = friendlyMessage(response.status, body);
      return;
    }
    staleBanner.hidden = !body.stale;
    catalogServedBy.textContent =
      response.headers.get('x-served-by') ?? (body.stale ? 'the cache (stale)' : '—');
    shownEvents.clear();
    for (const event of body.events) shownEvents.set(event.id, event);
    eventsList.replaceChildren(...body.events.map(renderEvent));
    eventsStatus.textContent = `${body.events.length} events`;
  } catch {
    eventsStatus.textContent = 'The shop cannot be reached. Check your connection and refresh.';
  } finally {
    eventsList.setAttribute('aria-busy', 'false');
  }
}

/** What the shop answered, as the page shows it. Status 0: no answer arrived. */
function showAnswer(attempt, status, body, replayed) {
  if (status >= 200 && status < 300) {
    const { order } = body;
    showResult('success', 'Your tickets are booked!', [
      `${order.quantity} × ${attempt.eventName}`,
      ['Order id: ', code(order.id)],
      `Placed by logic replica ${order.servedBy}.`,
      ...(replayed && attempt.tries > 1
        ? ['Your earlier try had already gone through: this is that same order, not a second one.']
        : []),
    ]);
  } else if (isDefinite(status)) {
    showResult('error', 'The order did not go through', [friendlyMessage(status, body)]);
  } else {
    showResult('warning', 'Your order is not confirmed yet', [
      friendlyMessage(status, body),
      unresolvedText(attempt),
    ]);
  }
}

/** Sends one attempt (a first try or a retry: the same key and body), then redraws the list. */
async function send(attempt, button) {
  if (inFlight.has(attempt.key)) return;
  inFlight.add(attempt.key);
  if (button) {
    button.disabled = true;
    button.textContent = 'Buying…';
  }
  const counted = noteTry(attempt);
  let status = 0;
  let body;
  let replayed = false;
  try {
    const response = await fetch('/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': attempt.key },
      body: JSON.stringify({ eventId: attempt.eventId, quantity: attempt.quantity }),
    });
    body = await response.json().catch(() => undefined);
    // A 2xx that confirms no order (its body lost, or no order in it) is not an answer we can
    // show: keep the attempt.
    status = response.ok && !confirmedOrder(response.status, body) ? 0 : response.status;
    replayed = response.headers.get('idempotent-replayed') === 'true';
  } catch {
    status = 0;
  } finally {
    inFlight.delete(attempt.key);
  }
  if (isDefinite(status)) resolveAttempt(attempt);
  showAnswer(counted, status, body, replayed);
  redrawCard(attempt.eventId);
  await loadEvents();
}

/** The card shows the attempt's new state at once, even if the list cannot be reloaded. */
function redrawCard(eventId) {
  const event = shownEvents.get(eventId);
  const card = eventsList.querySelector(`li[data-event-id="${CSS.escape(eventId)}"]`);
  if (event && card) card.replaceWith(renderEvent(event));
}

/** After a reload: every attempt still unresolved is resent, which settles it either way. */
async function resumePending() {
  for (const attempt of pendingAttempts()) await send(attempt);
}

document.querySelector('#refresh').addEventListener('click', () => void loadEvents());
await loadEvents();
void resumePending();
