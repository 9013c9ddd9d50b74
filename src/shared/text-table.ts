/**
 * Rows of cells as a plain-text table: columns padded to their widest cell, two spaces apart,
 * a rule of `ruleChar` under the header. The chaos summary and the benchmark report print it.
 */
export function textTable(
  header: readonly string[],
  rows: readonly string[][],
  ruleChar = '-',
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), line(widths.map((w) => ruleChar.repeat(w))), ...rows.map(line)].join('\n');
}
