// The only importer of the UI component library. @vscode/webview-ui-toolkit
// was archived in January 2025 (successor: @vscode-elements/elements); keeping
// it behind this file makes the swap one file's work.
import { provideVSCodeDesignSystem, vsCodeDataGrid, vsCodeDataGridCell, vsCodeDataGridRow } from '@vscode/webview-ui-toolkit';
import type { DataGrid, DataGridRow } from '@vscode/webview-ui-toolkit';

let registered = false;

function register(): void {
  if (registered) return;
  provideVSCodeDesignSystem().register(vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell());
  registered = true;
}

export interface Column<R> {
  key: Extract<keyof R, string>;
  title: string;
}

export interface TableOptions<R> {
  /** CSS grid-template-columns for the table. */
  widths: string;
  /** A class for rows that need one (e.g. a problem row). */
  rowClass?: (row: R) => string | undefined;
  /** A tooltip for the row. */
  rowTitle?: (row: R) => string | undefined;
}

/** What the table shows once rendered, read back from the DOM. */
export interface RenderedTable {
  /** Cell texts, row by row, header excluded. */
  cells: string[][];
}

/** The elements a table is made of, for callers that check what their DOM holds. */
export const TABLE_TAGS = ['vscode-data-grid', 'vscode-data-grid-row', 'vscode-data-grid-cell'];

export interface Table {
  element: HTMLElement;
  /** Resolves once the grid (by then in the document) shows every row; reads back what it shows. */
  rendered(timeoutMs?: number): Promise<RenderedTable>;
}

/** A data grid of `rows`; values reach the DOM through the grid's text bindings, never as markup. */
export function createTable<R extends object>(columns: Column<R>[], rows: R[], options: TableOptions<R>): Table {
  register();
  const grid = document.createElement('vscode-data-grid') as DataGrid;
  grid.generateHeader = 'sticky';
  grid.gridTemplateColumns = options.widths;
  grid.columnDefinitions = columns.map((c) => ({ columnDataKey: c.key, title: c.title }));
  grid.rowsData = rows;

  const rendered = async (timeoutMs = 10_000): Promise<RenderedTable> => {
    const body = await bodyRows(grid, rows.length, timeoutMs);
    for (const row of body) {
      const data = row.rowData as R | null;
      if (!data) continue;
      const cls = options.rowClass?.(data);
      if (cls) row.classList.add(cls);
      const title = options.rowTitle?.(data);
      if (title) row.title = title;
    }
    // trim(): the grid's cell template puts indentation around the text.
    return { cells: body.map((r) => [...r.querySelectorAll('vscode-data-grid-cell')].map((c) => (c.textContent ?? '').trim())) };
  };
  return { element: grid, rendered };
}

// Polls with timers, not animation frames: a hidden webview gets no frames.
async function bodyRows(grid: HTMLElement, expected: number, timeoutMs: number): Promise<DataGridRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = [...grid.querySelectorAll<DataGridRow>('vscode-data-grid-row')].filter((r) => r.rowType === 'default');
    if (rows.length === expected && rows.every((r) => r.querySelector('vscode-data-grid-cell'))) return rows;
    if (Date.now() > deadline) throw new Error(`the layer table rendered ${rows.length} of ${expected} rows`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
