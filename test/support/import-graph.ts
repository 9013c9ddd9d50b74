/**
 * The import graph of the TypeScript tree, type-only imports included (a type cycle is still
 * a design loop), read with oxc's parser rather than by matching text.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import type { Expression, StringLiteral } from 'oxc-parser';
import { parseSync, Visitor } from 'oxc-parser';

export interface ImportEdge {
  /** Both paths relative to the repository root, e.g. `src/chaos/verdict.ts`. */
  from: string;
  to: string;
}

/** The imports of a tree, sorted by what they point at. */
export interface Imports {
  /** Every file read, relative to the root. */
  files: string[];
  /** Each relative import, `to` the file it names (which exists). */
  edges: ImportEdge[];
  /** Each import of a Node builtin (`node:fs`, or a bare `fs`). */
  builtins: ImportEdge[];
  /** Each import of a package, `to` as written (`pg`, `uplot/dist/uPlot.min.css`). */
  packages: ImportEdge[];
  /**
   * What cannot be read as an arrow, as `file:line: why`: a parse error, a dynamic import of a
   * computed name, a relative import of no file, a specifier that is none of the above.
   */
  unreadable: string[];
}

/** Code the graph reads: TypeScript and JavaScript modules, not declaration files. */
const CODE = /(?<!\.d)\.[mc]?[tj]s$/;

function sourceFiles(root: string, folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => CODE.test(file))
    .map((file) => join(folder, file));
}

/** A package name, maybe with a subpath: `pg`, `@types/node`, `uplot/dist/uPlot.min.css`. */
const PACKAGE = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*(\/.*)?$/;

/** A module specifier as written, and where: `src/a.ts:3`. */
interface Specifier {
  to: string;
  at: string;
}

/**
 * Module specifiers of one file, from its syntax tree: static imports and re-exports (type-only
 * ones too), `import x = require('…')`, the types `import('…').T` and `typeof import('…')`,
 * and dynamic imports of a string or a template without substitutions. A dynamic import of
 * anything else (a variable, a template with `${…}`) goes to `unreadable`.
 */
function specifiers(file: string, code: string, unreadable: string[]): Specifier[] {
  const { program, errors } = parseSync(file, code);
  const at = (start: number) => `${file}:${code.slice(0, start).split('\n').length}`;
  for (const error of errors)
    unreadable.push(`${at(error.labels[0]?.start ?? 0)}: ${error.message}`);
  const found: Specifier[] = [];
  const add = (source: StringLiteral | null) =>
    source && found.push({ to: source.value, at: at(source.start) });
  const dynamic = (source: Expression) => {
    if (source.type === 'Literal' && typeof source.value === 'string') add(source);
    else if (source.type === 'TemplateLiteral' && source.expressions.length === 0)
      found.push({ to: source.quasis[0]?.value.cooked ?? '', at: at(source.start) });
    else
      unreadable.push(
        `${at(source.start)}: import(${code.slice(source.start, source.end)}) names no fixed module`,
      );
  };
  new Visitor({
    ImportDeclaration: (node) => add(node.source),
    ExportAllDeclaration: (node) => add(node.source),
    ExportNamedDeclaration: (node) => add(node.source),
    TSImportEqualsDeclaration: ({ moduleReference: ref }) => {
      if (ref.type === 'TSExternalModuleReference') add(ref.expression);
    },
    TSImportType: (node) => add(node.source),
    ImportExpression: (node) => dynamic(node.source),
  }).visit(program);
  return found;
}

const isFile = (path: string) => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;

/**
 * Every import of the files of `folders` (but the files of `except`): relative imports resolved
 * to the file they name, builtins, packages, and what cannot be read as any of them.
 */
export function readImports(
  root: string,
  folders: readonly string[],
  except: readonly string[] = [],
): Imports {
  const files = folders.flatMap((folder) => sourceFiles(root, folder));
  const result: Imports = { files: [], edges: [], builtins: [], packages: [], unreadable: [] };
  for (const from of files.filter((file) => !except.includes(file))) {
    result.files.push(from);
    const code = readFileSync(join(root, from), 'utf8');
    for (const { to, at } of specifiers(from, code, result.unreadable)) {
      if (to.startsWith('./') || to.startsWith('../')) {
        const file = resolve(root, dirname(from), to);
        if (isFile(file)) result.edges.push({ from, to: relative(root, file) });
        else result.unreadable.push(`${at}: '${to}' is no file`);
      } else if (isBuiltin(to)) result.builtins.push({ from, to });
      else if (PACKAGE.test(to)) result.packages.push({ from, to });
      else
        result.unreadable.push(
          `${at}: '${to}' is neither a relative file, a builtin nor a package`,
        );
    }
  }
  return result;
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
