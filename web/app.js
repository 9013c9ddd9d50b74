// FlameTickets web UI: plain ES module, no build step.
// Each purchase attempt gets one Idempotency-Key. The key is kept until the shop gives a
// definite answer (an order, or a 4xx), so a double click or a "try again" after a 503 or a
// lost connection can never buy twice.

const MAX_PER_ORDER = 10;
const eventsList = document.querySelector('#events');
const eventsStatus = document.querySelector('#events-status');
const staleBanner = document.querySelector('#stale-banner');
const result = document.querySelector('#result');
const catalogServedBy = document.querySelector('#catalog-served-by');
const template = document.querySelector('#event-template');

/** Pending attempt per event: { quantity, key }. */
const attempts = new Map();

const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' });
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function friendlyMessage(status, body) {
  const code = body?.error?.code;
  switch (code) {
    case 'SOLD_OUT':
      return body.error.message || 'Sorry, not enough seats are left.';
    case 'INVALID_REQUEST':
      return `That order is not valid: ${body.error.details?.map((d) => `${d.field} ${d.problem}`).join('; ') || body.error.message}`;
    case 'NOT_FOUND':
      return 'This event no longer exists.';
    case 'IDEMPOTENCY_KEY_REUSED':
      return 'This purchase attempt was already used for a different order. Please try again.';
    case 'SERVICE_UNAVAILABLE':
      return body.error.message;
    default:
      return status >= 500
        ? 'The ticket service is busy right now. Please try again in a few seconds.'
        : body?.error?.message || 'Something went wrong.';
  }
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

function renderEvent(event) {
  const item = template.content.firstElementChild.cloneNode(true);
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
    event.available === 0 ? 'Sold out' : `${event.available} of ${event.capacity} seats left`;
  seats.classList.toggle('none', event.available === 0);
  seats.classList.toggle('low', event.available > 0 && event.available <= 10);

  const form = item.querySelector('.buy-form');
  const select = item.querySelector('.quantity');
  const selectId = `qty-${event.id}`;
  select.id = selectId;
  item.querySelector('.quantity-label').htmlFor = selectId;
  for (let n = 1; n <= Math.min(MAX_PER_ORDER, Math.max(1, event.available)); n++) {
    select.append(new Option(String(n), String(n)));
  }
  const button = item.querySelector('.buy-button');
  button.setAttribute('aria-label', `Buy tickets for ${event.name}`);
  if (event.available === 0) {
    select.disabled = true;
    button.disabled = true;
    button.textContent = 'Sold out';
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void buy(event, Number(select.value), button);
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
    eventsList.replaceChildren(...body.events.map(renderEvent));
    eventsStatus.textContent = `${body.events.length} events`;
  } catch {
    eventsStatus.textContent = 'The shop cannot be reached. Check your connection and refresh.';
  } finally {
    eventsList.setAttribute('aria-busy', 'false');
  }
}

function attemptFor(eventId, quantity) {
  const current = attempts.get(eventId);
  if (current && current.quantity === quantity) return current;
  const fresh = { quantity, key: crypto.randomUUID() };
  attempts.set(eventId, fresh);
  return fresh;
}

async function buy(event, quantity, button) {
  if (button.disabled) return;
  const attempt = attemptFor(event.id, quantity);
  button.disabled = true;
  button.textContent = 'Buying…';
  try {
    const response = await fetch('/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': attempt.key },
      body: JSON.stringify({ eventId: event.id, quantity }),
    });
    const body = await response.json().catch(() => undefined);
    if (response.ok) {
      attempts.delete(event.id);
      const { order } = body;
      showResult('success', 'Your tickets are booked!', [
        `${order.quantity} × ${event.name}`,
        ['Order id: ', code(order.id)],
        `Placed by logic replica ${order.servedBy}.`,
        ...(response.headers.get('idempotent-replayed') === 'true'
          ? [
              'The shop had already booked this purchase attempt: it is the same order, not a second one.',
            ]
          : []),
      ]);
    } else {
      // A 4xx is a definite answer: the next attempt gets a new key. A 5xx may have
      // committed, so "try again" keeps the same key.
      if (response.status < 500) attempts.delete(event.id);
      showResult('error', 'The order did not go through', [friendlyMessage(response.status, body)]);
    }
  } catch {
    showResult('error', 'The order did not go through', [
      'The shop could not be reached. Your order was not charged twice: try again and it will complete at most once.',
    ]);
  } finally {
    button.disabled = false;
    button.textContent = 'Buy';
    await loadEvents();
  }
}

document.querySelector('#refresh').addEventListener('click', () => void loadEvents());
void loadEvents();
