/**
 * The import graph of the TypeScript tree, type-only imports included (a type cycle is still
 * a design loop), read with oxc's parser rather than by matching text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseSync } from 'oxc-parser';

export interface ImportEdge {
  /** Both paths relative to the repository root, e.g. `src/chaos/verdict.ts`. */
  from: string;
  to: string;
}

function sourceFiles(root: string, folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(folder, file));
}

/** Module specifiers of one file: static imports, re-exports and literal dynamic imports. */
function specifiers(file: string, code: string): string[] {
  const { module } = parseSync(file, code);
  const dynamic = module.dynamicImports.flatMap(({ moduleRequest }) => {
    const literal = /^['"]([^'"]+)['"]$/.exec(code.slice(moduleRequest.start, moduleRequest.end));
    return literal ? [literal[1] as string] : [];
  });
  return [
    ...module.staticImports.map((i) => i.moduleRequest.value),
    ...module.staticExports.flatMap((e) =>
      e.entries.flatMap((entry) => (entry.moduleRequest ? [entry.moduleRequest.value] : [])),
    ),
    ...dynamic,
  ];
}

/** Every import of the files of `folders`, `to` as written (`./x.ts`, `pg`, `node:fs`). */
function importsAsWritten(root: string, folders: readonly string[]): ImportEdge[] {
  return folders.flatMap((folder) =>
    sourceFiles(root, folder).flatMap((from) =>
      specifiers(from, readFileSync(join(root, from), 'utf8')).map((to) => ({ from, to })),
    ),
  );
}

/** Every relative import between the files of `folders` (packages and node: are left out). */
export function importGraph(root: string, folders: readonly string[]): ImportEdge[] {
  return importsAsWritten(root, folders)
    .filter(({ to }) => to.startsWith('.'))
    .map(({ from, to }) => ({ from, to: relative(root, resolve(root, dirname(from), to)) }));
}

/** Every import of a Node builtin (`node:fs`, or a bare `fs`) by the files of `folders`. */
export function builtinImports(root: string, folders: readonly string[]): ImportEdge[] {
  return importsAsWritten(root, folders).filter(({ to }) => isBuiltin(to));
}

/** The files reachable from `starts` (themselves included) along `edges`. */
export function reachable(edges: readonly ImportEdge[], starts: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...starts];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const edge of edges) if (edge.from === file) todo.push(edge.to);
  }
  return seen;
}

/** The cycles of a directed graph, each as the path that closes it (`a → b → a`). */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (node: string, path: string[]) => {
    const at = path.indexOf(node);
    if (at >= 0) {
      found.push([...path.slice(at), node]);
      return;
    }
    if (done.has(node)) return;
    for (const to of next.get(node) ?? []) visit(to, [...path, node]);
    done.add(node);
  };
  for (const node of next.keys()) visit(node, []);
  return found;
}
