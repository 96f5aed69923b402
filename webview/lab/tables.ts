// Data grids for the lab's tables (toolkit.ts makes them), with column widths
// from the longest text: each grid row lays itself out alone, so
// content-sized columns would not line up.
import { createTable, type Column, type Table } from '../toolkit';

export function table<R extends Record<string, string>>(columns: Column<R>[], rows: R[], className: string, label: string): Table {
  const widths = columns.map((c) => `calc(${Math.max(c.title.length, ...rows.map((r) => (r[c.key] ?? '').length))}ch + 2.5em)`).join(' ');
  const t = createTable(columns, rows, { widths });
  t.element.classList.add('lab-table', className);
  t.element.setAttribute('aria-label', label);
  return t;
}
