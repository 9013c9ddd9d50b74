import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ERROR_CODES } from '../../src/shared/errors.ts';
import {
  allTables,
  anchorsOf,
  codeSpans,
  headings,
  inlineCode,
  linkTargets,
  plain,
  tableAfter,
} from '../support/markdown.ts';

// The docs are pinned to the code the way fastify pins docs/Reference/Errors.md to its error
// registry: a code, a status or an environment variable that changes on one side only fails here.

const ROOT = resolve(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The rows of the table under the one heading whose text matches. */
function tableUnder(doc: string, heading: RegExp): string[][] {
  const markdown = read(doc);
  const found = headings(markdown).filter((h) => heading.test(h.text));
  assert.equal(found.length, 1, `${doc} should have one heading matching ${heading}`);
  const rows = tableAfter(markdown, (found[0] as { line: number }).line);
  assert.ok(rows.length > 0, `${doc}: no table under "${found[0]?.text}"`);
  return rows;
}

describe('docs/API.md', () => {
  it('lists every error code of src/shared/errors.ts with its status, and nothing else', () => {
    const documented = tableUnder('docs/API.md', /^Errors$/).map(
      ([code = '', status = '']) => `${plain(code)} ${status}`,
    );
    const inCode = Object.entries(ERROR_CODES).map(([code, { status }]) => `${code} ${status}`);
    assert.deepEqual([...documented].sort(), [...inCode].sort());
    assert.equal(new Set(documented).size, documented.length, 'a code is listed twice');
  });
});

/** A configuration table's heading names the module and export that read its variables. */
const PINNED_HEADING = /\(`([^`]+\.ts)`, `(\w+)`\)\s*$/;

/**
 * The variables an export reads: the keys of a zod object schema, or, for a loader function
 * `(env) => settings`, every name it looks up in the env it is given (it may throw on the
 * empty env, e.g. for a required variable: the names read before that still count).
 */
function variablesReadBy(exported: unknown): string[] {
  if (typeof exported === 'object' && exported !== null && 'shape' in exported) {
    return Object.keys((exported as { shape: object }).shape);
  }
  assert.equal(typeof exported, 'function', 'expected a zod object schema or a loader function');
  const read = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, name) => {
      if (typeof name === 'string') read.add(name);
      return undefined;
    },
  });
  try {
    (exported as (env: Record<string, string | undefined>) => unknown)(env);
  } catch {
    // the names it read before giving up are what we want
  }
  return [...read];
}

/** What a zod field gives for an unset variable: its default, undefined, or 'required'. */
function defaultOf(field: { safeParse(input: unknown): { success: boolean; data?: unknown } }) {
  const parsed = field.safeParse(undefined);
  if (!parsed.success) return { required: true as const };
  const value = Array.isArray(parsed.data) ? parsed.data.join(',') : parsed.data;
  return { required: false as const, value };
}

/**
 * Whether a documented default says what the schema does: a code span is the value itself
 * (`2000`, `info`); "— (required)" means no default; "host name" is os.hostname(); any other
 * words ("unset", "generated": the runner makes one) mean the schema leaves it undefined.
 */
function defaultMismatch(variable: string, cell: string, field: unknown): string | undefined {
  const inCode = defaultOf(field as Parameters<typeof defaultOf>[0]);
  const said = codeSpans(cell)[0];
  const shown = inCode.required ? 'required' : JSON.stringify(inCode.value);
  const ok =
    said !== undefined
      ? !inCode.required && String(inCode.value) === said
      : /required/.test(cell)
        ? inCode.required
        : cell === 'host name'
          ? !inCode.required && inCode.value === hostname()
          : !inCode.required && inCode.value === undefined;
  return ok ? undefined : `${variable}: the doc says ${cell}, the schema ${shown}`;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file));
}

describe('docs/CONFIGURATION.md', () => {
  const doc = 'docs/CONFIGURATION.md';
  const markdown = read(doc);
  const pinned = headings(markdown).flatMap((heading) => {
    const match = PINNED_HEADING.exec(heading.text);
    return match ? [{ heading, file: match[1] as string, name: match[2] as string }] : [];
  });
  const documented = (line: number) => tableAfter(markdown, line).map(([cell = '']) => plain(cell));

  it('has a pinned table for each service and the local runner', () => {
    const names = pinned.map((table) => table.name);
    for (const schema of ['logicEnvSchema', 'frontendEnvSchema', 'localEnvSchema']) {
      assert.ok(names.includes(schema), `${doc} has no table headed (\`…\`, \`${schema}\`)`);
    }
  });

  for (const { heading, file, name } of pinned) {
    it(`lists exactly the variables ${file} ${name} reads`, async () => {
      assert.ok(existsSync(join(ROOT, file)), `${doc} names ${file}, which does not exist`);
      const module: Record<string, unknown> = await import(pathToFileURL(join(ROOT, file)).href);
      assert.ok(name in module, `${doc} names ${name}, which ${file} does not export`);
      const inDoc = documented(heading.line);
      assert.ok(inDoc.length > 0, `no table under "${heading.text}"`);
      assert.deepEqual([...inDoc].sort(), variablesReadBy(module[name]).sort());
    });
  }

  for (const { heading, file, name } of pinned) {
    it(`documents the default of every variable as ${file} ${name} has it`, async (t) => {
      const module: Record<string, unknown> = await import(pathToFileURL(join(ROOT, file)).href);
      const schema = module[name];
      if (typeof schema !== 'object' || schema === null || !('shape' in schema)) {
        return t.skip(`${name} is a loader function, not a zod schema: no defaults to read`);
      }
      const shape = (schema as { shape: Record<string, unknown> }).shape;
      const markdownRows = tableAfter(markdown, heading.line);
      assert.ok(markdownRows.length > 0);
      const wrong = markdownRows.flatMap(([variableCell = '', defaultCell = '']) => {
        const variable = plain(variableCell);
        return defaultMismatch(variable, defaultCell.trim(), shape[variable]) ?? [];
      });
      assert.deepEqual(wrong, []);
    });
  }

  it('documents every variable src/ and scripts/ read from process.env', () => {
    const everyDocumented = new Set(
      allTables(markdown).flatMap(({ rows }) => rows.map(([cell = '']) => plain(cell))),
    );
    const missing = [...sourceFiles('src'), ...sourceFiles('scripts')].flatMap((file) =>
      [...read(file).matchAll(/process\.env(?:\.(\w+)|\[\s*['"](\w+)['"]\s*\])/g)]
        .map((match) => (match[1] ?? match[2]) as string)
        .filter((variable) => !everyDocumented.has(variable))
        .map((variable) => `${variable} (${file})`),
    );
    assert.deepEqual(missing, []);
  });

  it('names, for every other variable, files that do read it', () => {
    const wrong = allTables(markdown).flatMap(({ header, rows }) => {
      const column = header.indexOf('read by');
      if (column < 0) return [];
      return rows.flatMap((row) => {
        const variable = plain(row[0] ?? '');
        const files = codeSpans(row[column] ?? '').filter((span) => span.endsWith('.ts'));
        if (files.length === 0) return [`${variable}: no file under "read by"`];
        return files
          .filter((file) => !existsSync(join(ROOT, file)) || !wordIn(variable, read(file)))
          .map((file) => `${variable}: not read by ${file}`);
      });
    });
    assert.deepEqual(wrong, []);
  });
});

function wordIn(word: string, text: string): boolean {
  return new RegExp(`\\b${word}\\b`).test(text);
}

const docs = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

describe('relative links in README.md and docs/', () => {
  for (const doc of docs) {
    it(`${doc} links only to files and headings that exist`, () => {
      const broken = linkTargets(read(doc))
        .filter((target) => !/^[a-z][a-z+.-]*:/i.test(target))
        .flatMap((target) => {
          const [path = '', anchor] = target.split('#');
          const file = path === '' ? join(ROOT, doc) : resolve(dirname(join(ROOT, doc)), path);
          if (!existsSync(file)) return [`${target} (no file ${relative(ROOT, file)})`];
          if (anchor === undefined || !file.endsWith('.md')) return [];
          const anchors = anchorsOf(readFileSync(file, 'utf8'));
          return anchors.includes(anchor) ? [] : [`${target} (no heading #${anchor})`];
        });
      assert.deepEqual(broken, []);
    });
  }
});

// Suites move with the code they test (test/<room> tests src/<room>): a doc still naming the
// old place fails here, as a broken link does above.
describe('test paths in README.md and docs/', () => {
  for (const doc of docs) {
    it(`${doc} names only test files and folders that exist`, () => {
      const missing = inlineCode(read(doc))
        .filter((span) => /^test\/[^\s<*]+$/.test(span))
        .filter((path) => !existsSync(join(ROOT, path)));
      assert.deepEqual(missing, []);
    });
  }
});
