import {
  INVARIANT_KINDS,
  type InvariantResult,
  type ViolationKind,
} from '../chaos/core/invariants.ts';
import { byId } from './dom.ts';

const LABELS: Partial<Record<ViolationKind, string>> = {
  oversold: 'Oversold events',
  quantityMismatch: 'Ledger mismatches',
  duplicateKeys: 'Two orders for one key',
  lostConfirmed: 'Lost confirmations',
  orderedRejected: 'Orders for rejections',
  outcomeChanged: 'Changed answers for one key',
  falseSoldOut: 'False sold-out answers',
  successWithoutOrder: 'Success without an order',
};

/** A kind without a label of its own still gets a tile: "falseSoldOut" → "False sold out". */
function label(kind: ViolationKind): string {
  const words = kind.replace(/([A-Z])/g, ' $1').toLowerCase();
  return LABELS[kind] ?? words.charAt(0).toUpperCase() + words.slice(1);
}

/** One tile per invariant the checker knows (INVARIANT_KINDS), drawn once; `show` updates counts and examples in place. */
export function drawTiles(): void {
  const list = byId('tiles');
  list.replaceChildren(
    ...INVARIANT_KINDS.map((kind) => {
      const tile = document.createElement('li');
      tile.className = 'tile ok';
      tile.dataset.kind = kind;
      const count = document.createElement('span');
      count.className = 'tile-count';
      count.textContent = '0';
      const name = document.createElement('span');
      name.className = 'tile-name';
      name.textContent = label(kind);
      const example = document.createElement('p');
      example.className = 'tile-example';
      tile.append(count, name, example);
      return tile;
    }),
  );
}

export function showInvariants(result: InvariantResult): void {
  for (const kind of INVARIANT_KINDS) {
    const tile = byId('tiles').querySelector<HTMLElement>(`[data-kind="${kind}"]`);
    if (!tile) continue;
    const count = result[kind];
    tile.className = `tile ${count === 0 ? 'ok' : 'bad'}`;
    const countEl = tile.querySelector('.tile-count');
    if (countEl) countEl.textContent = String(count);
    const example = result.examples.find((e) => e.kind === kind);
    const exampleEl = tile.querySelector('.tile-example');
    if (exampleEl) exampleEl.textContent = example ? `e.g. ${example.message}` : '';
  }
}
