/** One JSON document on stdout, for scripts (`--json`). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

type Cell = string | number | boolean | null | undefined;

/** A plain text table for people: aligned columns, long cells cut with an ellipsis. */
export function printTable(columns: string[], rows: Cell[][], options: { maxWidth?: number } = {}): void {
  const max = options.maxWidth ?? 60;
  const text = rows.map((row) => row.map((c) => cut(c === null || c === undefined ? '' : String(c), max)));
  const widths = columns.map((h, i) => Math.max(h.length, ...text.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(columns), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)];
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Key/value lines for one object (`show` commands). */
export function printFields(fields: Array<[string, Cell | Cell[]]>): void {
  const width = Math.max(...fields.map(([k]) => k.length));
  for (const [key, value] of fields) {
    const shown = Array.isArray(value) ? value.join(', ') : value === null || value === undefined ? '' : String(value);
    process.stdout.write(`${`${key}:`.padEnd(width + 2)}${shown}\n`);
  }
}

function cut(s: string, max: number): string {
  const oneLine = s.replace(/\s*\n\s*/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
