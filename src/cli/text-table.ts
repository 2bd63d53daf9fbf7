/** Left-aligned columns under a header, for terminals; empty values print as `-`. */
export function textTable(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '  (none)';
  const cell = (value: unknown) =>
    value === null || value === undefined || value === ''
      ? '-'
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  const cells = rows.map((row) => columns.map((c) => cell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    `  ${values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]))).join('  ')}`;
  return [line(columns), ...cells.map(line)].join('\n');
}
