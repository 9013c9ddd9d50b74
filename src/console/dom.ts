/** The element with this id, or a loud error: the page and the script must agree. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the console page has no #${id}`);
  return element as T;
}

export function setText(id: string, text: string): void {
  byId(id).textContent = text;
}

export const percent = (rate: number | null) =>
  rate === null ? '—' : `${(Math.floor(rate * 10000) / 100).toFixed(2)} %`;

export const millis = (ms: number | null) => (ms === null ? '—' : `${ms} ms`);

/** "200 ×412 · 409 ×3" from counts by key, sorted by key. */
export function countsText(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '—' : entries.map(([k, n]) => `${k} ×${n}`).join(' · ');
}
