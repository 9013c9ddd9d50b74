import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  cycles,
  type ImportEdge,
  type Imports,
  reachable,
  readImports,
} from '../support/import-graph.ts';

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

/** Whether `file` is one of `places` or lies under one (`src/chaos/core`, `web/confirmation.js`). */
export function within(file: string, places: readonly string[]): boolean {
  return places.some((place) => file === place || file.startsWith(`${place}/`));
}

/** What the console (bundled for the browser) may import. */
const CONSOLE_MAY_IMPORT = ['src/console', 'src/chaos/core', 'src/shared'];
/**
 * What the chaos core may import. Of `web/`, the shop page's plain browser JavaScript, only
 * web/confirmation.js: the core judges a purchase confirmed by the page's own rule, imported
 * as it is.
 */
const CORE_MAY_IMPORT = ['src/chaos/core', 'src/shared', 'web/confirmation.js'];
/** Where every file the browser's row reaches may lie: nowhere a Node-only file can hide. */
const BROWSER_SAFE = [...CONSOLE_MAY_IMPORT, 'web/confirmation.js'];
/** The packages the browser's row may import (esbuild bundles them): uPlot and its stylesheet. */
const BROWSER_PACKAGES = ['uplot', 'uplot/dist/uPlot.min.css'];

/** The tests of the console: they alone, outside src/console, import it. */
const CONSOLE_TESTS = ['test/console', 'test/browser'];

/** Why an arrow out of or into the browser's row is not allowed, or undefined. */
export function notForTheBrowser({ from, to }: ImportEdge): string | undefined {
  if (within(from, ['src/console']) && !within(to, CONSOLE_MAY_IMPORT))
    return `the console imports only ${CONSOLE_MAY_IMPORT.join(', ')}`;
  if (within(from, ['src/chaos/core']) && !within(to, CORE_MAY_IMPORT))
    return `src/chaos/core imports only ${CORE_MAY_IMPORT.join(', ')}`;
  // The row stands apart: its one way in is the build step, which bundles src/console/main.ts
  // by path (an esbuild entry point, not an import).
  if (within(to, ['src/console']) && !within(from, ['src/console', ...CONSOLE_TESTS]))
    return `nothing outside src/console imports it but ${CONSOLE_TESTS.join(', ')}`;
  return undefined;
}

/**
 * What breaks the browser among the files reachable from any file of src/console or
 * src/chaos/core, whether the console reaches that core file today or not: each import that
 * leaves the browser-safe places (not what lies beyond it), each Node builtin imported, and
 * each package but BROWSER_PACKAGES (type-only imports included, as everywhere here).
 */
export function browserProblems({
  files,
  edges,
  builtins,
  packages,
}: Omit<Imports, 'unreadable'>): string[] {
  const starts = files.filter((file) => within(file, ['src/console', 'src/chaos/core']));
  const closure = reachable(edges, starts);
  const safe = (file: string) => closure.has(file) && within(file, BROWSER_SAFE);
  const reached = 'reached from src/console or src/chaos/core';
  return [
    ...edges
      .filter((e) => safe(e.from) && !safe(e.to))
      .map((e) => `${show(e)} (${reached}, outside ${BROWSER_SAFE.join(', ')})`),
    ...builtins.filter((e) => safe(e.from)).map((e) => `${show(e)} (${reached}: a Node builtin)`),
    ...packages
      .filter((e) => safe(e.from) && !BROWSER_PACKAGES.includes(e.to))
      .map((e) => `${show(e)} (${reached}: a package, not ${BROWSER_PACKAGES.join(' or ')})`),
  ];
}

const show = (edge: ImportEdge) => `${edge.from} → ${edge.to}`;
/** The console's bundle, built from src/console (npm run build:console): not a source. */
const BUILT = ['web/console.js'];
const imports = readImports(ROOT, ['src', 'scripts', 'web'], BUILT);
const { edges, builtins } = imports;
// The tests, read for their arrows into src/console only (their computed dynamic imports, of
// files listed at run time, are theirs).
const testEdges = readImports(ROOT, ['test']).edges;

describe('import arrows (docs/ARCHITECTURE.md, module map)', () => {
  it('reads a graph of the whole tree', () => {
    assert.ok(edges.length > 100, `only ${edges.length} imports found`);
    assert.ok(edges.some((e) => e.from.startsWith('scripts/')));
    assert.ok(edges.some((e) => e.from.startsWith('web/')));
  });

  it('reads every import as an arrow: each relative one names a file, each dynamic one a fixed module', () => {
    assert.deepEqual(imports.unreadable, []);
  });

  it('points down the map: scripts → tools → services → shared', () => {
    const wrong = edges.flatMap((e) => {
      const why = wrongWay(e);
      return why ? [`${show(e)} (${why})`] : [];
    });
    assert.deepEqual(wrong, []);
  });

  it('keeps the console on src/console, src/chaos/core and src/shared, the core off the rest of src/chaos and of web/ but web/confirmation.js, and src/console imported by no one else but its tests', () => {
    const wrong = [...edges, ...testEdges].flatMap((e) => {
      const why = notForTheBrowser(e);
      return why ? [`${show(e)} (${why})`] : [];
    });
    assert.deepEqual(wrong, []);
  });

  it('reaches from every file of src/console and src/chaos/core (the whole import closure, types included) no node: builtin, no package but uPlot and no file outside those', () => {
    assert.ok(builtins.length > 0, 'the builtins of the Node-only code are seen');
    assert.deepEqual(browserProblems(imports), []);
  });

  it('keeps web/ (served as it is) on web/: no src/, no package, no node: module', () => {
    const wrong = [...edges, ...builtins, ...imports.packages].filter(
      (e) => roomOf(e.from) === 'web' && roomOf(e.to) !== 'web',
    );
    assert.deepEqual(wrong.map(show), []);
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

  it('reads every kind of import, and flags what it cannot read (the reader itself can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-arrows-'));
    const tree = {
      'src/a.ts': [
        "import b = require('./b.ts');",
        "type C = import('./c.ts').C;",
        "type D = typeof import('./d.mts');",
        'const e = await import(`./e.cts`);',
        "export type { F } from '../web/f.js';",
      ].join('\n'),
      'src/b.ts': 'export {};',
      'src/c.ts': 'export type C = 1;',
      'src/d.mts': "import 'node:fs';",
      'src/e.cts': "import 'pg';",
      'src/g.ts': [
        "import './h.js';",
        'await import(name);',
        `await import(\`./\${name}.ts\`);`,
      ].join('\n'),
      'src/h.ts': 'export {};',
      'web/f.js': 'export const F = 1;',
    };
    try {
      for (const [file, code] of Object.entries(tree)) {
        mkdirSync(join(dir, file, '..'), { recursive: true });
        writeFileSync(join(dir, file), code);
      }
      const read = readImports(dir, ['src', 'web']);
      assert.deepEqual(read.edges.map(show), [
        'src/a.ts → src/b.ts',
        'src/a.ts → src/c.ts',
        'src/a.ts → src/d.mts',
        'src/a.ts → src/e.cts',
        'src/a.ts → web/f.js',
      ]);
      assert.deepEqual(read.builtins.map(show), ['src/d.mts → node:fs']);
      assert.deepEqual(read.packages.map(show), ['src/e.cts → pg']);
      assert.deepEqual(read.unreadable, [
        'src/g.ts:2: import(name) names no fixed module',
        `src/g.ts:3: import(\`./\${name}.ts\`) names no fixed module`,
        "src/g.ts:1: './h.js' is no file",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('catches an arrow the wrong way and a loop (the checker itself can fail)', () => {
    assert.match(wrongWay({ from: 'src/shared/x.ts', to: 'src/chaos/y.ts' }) ?? '', /below/);
    assert.ok(wrongWay({ from: 'src/logic/x.ts', to: 'src/frontend/y.ts' }));
    assert.ok(wrongWay({ from: 'src/chaos/x.ts', to: 'scripts/y.ts' }));
    assert.equal(wrongWay({ from: 'scripts/x.ts', to: 'src/shared/y.ts' }), undefined);
    assert.ok(notForTheBrowser({ from: 'src/console/x.ts', to: 'src/chaos/targets/y.ts' }));
    assert.ok(notForTheBrowser({ from: 'src/chaos/core/x.ts', to: 'src/chaos/y.ts' }));
    assert.ok(notForTheBrowser({ from: 'src/chaos/core/x.ts', to: 'web/attempts.js' }));
    assert.ok(notForTheBrowser({ from: 'src/bench/x.ts', to: 'src/console/y.ts' }));
    assert.ok(notForTheBrowser({ from: 'scripts/x.ts', to: 'src/console/y.ts' }));
    assert.equal(
      notForTheBrowser({ from: 'test/console/x.ts', to: 'src/console/y.ts' }),
      undefined,
    );
    assert.equal(
      notForTheBrowser({ from: 'src/chaos/core/x.ts', to: 'web/confirmation.js' }),
      undefined,
    );
    assert.equal(
      notForTheBrowser({ from: 'src/console/x.ts', to: 'src/chaos/core/y.ts' }),
      undefined,
    );
    assert.equal(
      browserProblems({
        files: ['src/console/a.ts', 'src/shared/b.ts', 'src/shared/c.ts', 'src/chaos/core/d.ts'],
        edges: [
          { from: 'src/console/a.ts', to: 'src/shared/b.ts' },
          { from: 'src/shared/b.ts', to: 'src/shared/c.ts' },
        ],
        builtins: [
          { from: 'src/shared/c.ts', to: 'node:fs' },
          { from: 'src/chaos/core/d.ts', to: 'node:path' },
        ],
        packages: [
          { from: 'src/console/a.ts', to: 'uplot' },
          { from: 'src/shared/c.ts', to: 'pg' },
        ],
      }).length,
      3,
    );
    assert.deepEqual(
      cycles([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ]),
      [['a', 'b', 'a']],
    );
  });
});
