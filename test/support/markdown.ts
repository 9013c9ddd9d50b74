/**
 * Reading Markdown to pin the docs to the code: headings, the table under a heading, links
 * and GitHub's heading anchors. marked's lexer does the parsing (code blocks are never taken
 * for headings or links) and github-slugger makes the anchors as GitHub does.
 */
import GithubSlugger from 'github-slugger';
import { marked, type Token, type Tokens } from 'marked';

export interface Heading {
  depth: number;
  text: string;
  /** Position of the heading among the document's top-level blocks (for `tableAfter`). */
  line: number;
}

const blocks = (markdown: string): Token[] => marked.lexer(markdown);

export function headings(markdown: string): Heading[] {
  return blocks(markdown).flatMap((token, index) =>
    token.type === 'heading'
      ? [{ depth: (token as Tokens.Heading).depth, text: token.text as string, line: index }]
      : [],
  );
}

const rowText = (row: Tokens.TableCell[]) => row.map((cell) => cell.text.trim());

/** Rows of the first table after block `from` and before the next heading; empty when none. */
export function tableAfter(markdown: string, from: number): string[][] {
  for (const token of blocks(markdown).slice(from + 1)) {
    if (token.type === 'heading') break;
    if (token.type === 'table') return (token as Tokens.Table).rows.map(rowText);
  }
  return [];
}

export interface Table {
  header: string[];
  rows: string[][];
}

/** Every table in the file, in order. */
export function allTables(markdown: string): Table[] {
  return blocks(markdown).flatMap((token) => {
    if (token.type !== 'table') return [];
    const table = token as Tokens.Table;
    return [{ header: rowText(table.header), rows: table.rows.map(rowText) }];
  });
}

/** The first code span of a cell, or the cell itself: "`PORT`" → "PORT". */
export function plain(cell: string): string {
  return /`([^`]+)`/.exec(cell)?.[1] ?? cell;
}

/** Every code span of a cell: "`a.ts` (x), `b.ts`" → ["a.ts", "b.ts"]. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
}

/** Targets of links and images, wherever marked finds them (never inside code). */
export function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  marked.walkTokens(blocks(markdown), (token) => {
    if (token.type === 'link' || token.type === 'image') targets.push(token.href as string);
  });
  return targets;
}

/** The text of every inline code span in the prose and tables (never inside code blocks). */
export function inlineCode(markdown: string): string[] {
  const spans: string[] = [];
  marked.walkTokens(blocks(markdown), (token) => {
    if (token.type === 'codespan') spans.push((token as Tokens.Codespan).text);
  });
  return spans;
}

/** Every heading's anchor as GitHub makes it, repeated headings numbered (`-1`, `-2`). */
export function anchorsOf(markdown: string): string[] {
  const slugger = new GithubSlugger();
  return headings(markdown).map((h) => slugger.slug(h.text));
}
