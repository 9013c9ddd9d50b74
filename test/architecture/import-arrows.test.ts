import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cycles, type ImportEdge, importGraph } from '../support/import-graph.ts';

// The module map of docs/ARCHITECTURE.md, checked the way docs.test.ts checks the docs: an
// import that points the wrong way, or closes a loop, fails here with the file that made it.

const ROOT = new URL('../..', import.meta.url).pathname;

/** A file's room: `scripts`, or the first folder under `src/` (`src/chaos`, `src/shared`). */
export function roomOf(file: string): string {
  const [top, folder] = file.split('/');
  return top === 'src' ? `src/${folder}` : (top as string);
}

const SERVICES = ['src/frontend', 'src/logic'];

/** Higher layers may import lower ones; the services and shared form the bottom layers. */
function layerOf(room: string): number {
  if (room === 'scripts') return 3;
  if (room === 'src/shared') return 0;
  if (SERVICES.includes(room)) return 1;
  return 2; // the tools: chaos, bench, local, kube, console, docker
}

/** Why an arrow is not allowed, or undefined when it is. */
export function wrongWay({ from, to }: ImportEdge): string | undefined {
  const [a, b] = [roomOf(from), roomOf(to)];
  if (a === b) return undefined;
  if (b === 'scripts') return 'src/ never imports scripts/';
  if (SERVICES.includes(a) && SERVICES.includes(b)) return 'services never import each other';
  if (layerOf(b) > layerOf(a)) return `${a} is below ${b}`;
  return undefined;
}

const edges = importGraph(ROOT, ['src', 'scripts']);
const show = (edge: ImportEdge) => `${edge.from} → ${edge.to}`;

describe('import arrows (docs/ARCHITECTURE.md, module map)', () => {
  it('reads a graph of the whole tree', () => {
    assert.ok(edges.length > 100, `only ${edges.length} imports found`);
    assert.ok(edges.some((e) => e.from.startsWith('scripts/')));
  });

  it('points down the map: scripts → tools → services → shared', () => {
    const wrong = edges.flatMap((e) => {
      const why = wrongWay(e);
      return why ? [`${show(e)} (${why})`] : [];
    });
    assert.deepEqual(wrong, []);
  });

  it('has no import cycle between files, type-only imports included', () => {
    assert.deepEqual(
      cycles(edges).map((path) => path.join(' → ')),
      [],
    );
  });

  it('has no loop between rooms', () => {
    const between = [...new Set(edges.map((e) => `${roomOf(e.from)} ${roomOf(e.to)}`))].flatMap(
      (pair) => {
        const [from = '', to = ''] = pair.split(' ');
        return from === to ? [] : [{ from, to }];
      },
    );
    assert.deepEqual(
      cycles(between).map((path) => path.join(' → ')),
      [],
    );
  });

  it('catches an arrow the wrong way and a loop (the checker itself can fail)', () => {
    assert.match(wrongWay({ from: 'src/shared/x.ts', to: 'src/chaos/y.ts' }) ?? '', /below/);
    assert.ok(wrongWay({ from: 'src/logic/x.ts', to: 'src/frontend/y.ts' }));
    assert.ok(wrongWay({ from: 'src/chaos/x.ts', to: 'scripts/y.ts' }));
    assert.equal(wrongWay({ from: 'scripts/x.ts', to: 'src/shared/y.ts' }), undefined);
    assert.deepEqual(
      cycles([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ]),
      [['a', 'b', 'a']],
    );
  });
});
