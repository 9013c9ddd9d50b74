/**
 * Statements the embedded server refuses before PGlite sees them, because one client running
 * them breaks the one shared session for every other client. Refused statements are swapped
 * for one that raises the error inside PGlite, so the client gets an ordinary ErrorResponse
 * and the session's transaction state stays right (an open transaction is aborted, as Postgres
 * would).
 */

export interface Refusal {
  code: string;
  message: string;
  hint: string;
}

const UTF8_NAMES = new Set(['utf8', 'utf-8', 'unicode', 'default']);

/** SQL with comments, quoted literals and quoted identifiers blanked out. */
function codeOnly(sql: string): string {
  return sql.replace(
    /--[^\n]*|\/\*[\s\S]*?\*\/|\$(\w*)\$[\s\S]*?\$\1\$|[Ee]?'(?:[^']|'')*'|"(?:[^"]|"")*"/g,
    ' ',
  );
}

const COPY_FROM_STDIN = /\bcopy\b[^;]*\bfrom\s+stdin\b/i;
const ENCODING_SETTINGS = [
  /client_encoding["']?\s*(?:=|\bto\b|,)\s*E?["']?([\w-]+)/gi,
  /\bset\s+names\s+E?["']?([\w-]+)/gi,
];

export function refusalFor(sql: string): Refusal | undefined {
  if (COPY_FROM_STDIN.test(codeOnly(sql))) {
    return {
      code: '0A000',
      message: 'COPY FROM STDIN is not supported by the embedded database',
      hint: 'Load rows with INSERT (psql: \\i file.sql), or use a real PostgreSQL (DATABASE_URL) for bulk loads. COPY TO STDOUT works.',
    };
  }
  for (const pattern of ENCODING_SETTINGS) {
    for (const match of sql.matchAll(pattern)) {
      if (!UTF8_NAMES.has((match[1] ?? '').toLowerCase())) {
        return {
          code: '0A000',
          message: `client_encoding ${match[1]} is not supported by the embedded database: it speaks UTF8 only`,
          hint: 'Leave client_encoding at UTF8 (psql: \\encoding UTF8).',
        };
      }
    }
  }
  return undefined;
}

/** A statement that fails inside PGlite with the refusal's code, message and hint. */
export function raisingSql(refusal: Refusal): string {
  const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
  return `DO $flame$BEGIN RAISE EXCEPTION USING ERRCODE = ${literal(refusal.code)}, MESSAGE = ${literal(refusal.message)}, HINT = ${literal(refusal.hint)}; END$flame$`;
}
