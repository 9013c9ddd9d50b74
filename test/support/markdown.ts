/**
 * Just enough Markdown reading to pin the docs to the code: headings, the table under a
 * heading, and links. Fenced code blocks are blanked first, so a `#` comment or a `](x)` in a
 * shell example is never taken for a heading or a link.
 */

export interface Heading {
  depth: number;
  text: string;
  /** Line index in the file. */
  line: number;
}

/** The text with every fenced code block's lines emptied (line numbers are kept). */
export function withoutCodeBlocks(markdown: string): string[] {
  let inFence = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      return '';
    }
    return inFence ? '' : line;
  });
}

export function headings(markdown: string): Heading[] {
  return withoutCodeBlocks(markdown).flatMap((line, index) => {
    const match = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    return match
      ? [{ depth: (match[1] as string).length, text: match[2] as string, line: index }]
      : [];
  });
}

/** Cells of one table row; `\|` inside a cell is a literal bar, not a separator. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replaceAll('\\|', '|'));
}

/**
 * Rows of the first table after line `from` and before the next heading, without the header
 * and the separator row. Empty when there is none.
 */
export function tableAfter(markdown: string, from: number): string[][] {
  const lines = withoutCodeBlocks(markdown);
  const rows: string[][] = [];
  for (let i = from + 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^#{1,6}\s/.test(line)) break;
    if (line.trim().startsWith('|')) rows.push(cells(line));
    else if (rows.length > 0) break;
  }
  return rows.slice(2);
}

export interface Table {
  header: string[];
  rows: string[][];
}

/** Every table in the file, in order. */
export function allTables(markdown: string): Table[] {
  const lines = withoutCodeBlocks(markdown);
  return lines.flatMap((line, i) => {
    const startsTable = line.trim().startsWith('|') && !lines[i - 1]?.trim().startsWith('|');
    return startsTable ? [{ header: cells(line), rows: tableAfter(markdown, i - 1) }] : [];
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

/** Targets of inline links and images, outside code blocks and code spans. */
export function linkTargets(markdown: string): string[] {
  const text = withoutCodeBlocks(markdown)
    .join('\n')
    .replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (match) => match[1] as string,
  );
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(headingText: string): string {
  return headingText
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
