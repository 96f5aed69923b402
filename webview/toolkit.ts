// The only importer of the UI component library. @vscode/webview-ui-toolkit
// was archived in January 2025 (successor: @vscode-elements/elements); keeping
// it behind this file makes the swap one file's work.
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDropdown,
  vsCodeOption,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import type { Button, Checkbox, DataGrid, DataGridRow, Dropdown, Option, Panels, TextField } from '@vscode/webview-ui-toolkit';

let registered = false;
let registeredControls = false;

function register(): void {
  if (registered) return;
  provideVSCodeDesignSystem().register(vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell());
  registered = true;
}

// Registered on first use, so the summary panel's bundle does not define elements it never shows.
function registerControls(): void {
  register();
  if (registeredControls) return;
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeCheckbox(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodePanels(),
    vsCodePanelTab(),
    vsCodePanelView(),
    vsCodeTextField(),
  );
  registeredControls = true;
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

/** The elements the controls below are made of. */
export const CONTROL_TAGS = ['vscode-button', 'vscode-checkbox', 'vscode-dropdown', 'vscode-option', 'vscode-panels', 'vscode-panel-tab', 'vscode-panel-view', 'vscode-text-field'];

/** A value a control holds: text for fields and drop-downs, a flag for a checkbox. */
export interface Control<V extends string | boolean> {
  element: HTMLElement;
  get(): V;
  set(value: V): void;
  /** Called on every change a person makes (typing, picking, ticking). */
  onChange(listener: () => void): void;
  setDisabled(disabled: boolean): void;
}

export function button(label: string, appearance: 'primary' | 'secondary' = 'primary'): HTMLElement & { disabled: boolean } {
  registerControls();
  const b = document.createElement('vscode-button') as Button;
  b.appearance = appearance;
  b.textContent = label;
  return b;
}

export function textField(id: string, label: string, value: string, placeholder = ''): Control<string> {
  registerControls();
  const f = document.createElement('vscode-text-field') as TextField;
  f.id = id;
  f.value = value;
  f.placeholder = placeholder;
  f.setAttribute('aria-label', label);
  return {
    element: f,
    get: () => f.value,
    set: (v) => {
      f.value = v;
    },
    onChange: (listener) => f.addEventListener('input', listener),
    setDisabled: (d) => {
      f.disabled = d;
    },
  };
}

/** A drop-down of `[value, label]` choices. */
export function dropdown(id: string, label: string, choices: readonly (readonly [string, string])[], value: string): Control<string> {
  registerControls();
  const d = document.createElement('vscode-dropdown') as Dropdown;
  d.id = id;
  d.setAttribute('aria-label', label);
  for (const [v, text] of choices) {
    const o = document.createElement('vscode-option') as Option;
    o.value = v;
    o.textContent = text;
    if (v === value) o.selected = true;
    d.append(o);
  }
  d.value = value;
  return {
    element: d,
    get: () => d.value,
    set: (v) => {
      d.value = v;
    },
    onChange: (listener) => d.addEventListener('change', listener),
    setDisabled: (dis) => {
      d.disabled = dis;
    },
  };
}

export function checkbox(id: string, label: string, checked: boolean): Control<boolean> {
  registerControls();
  const c = document.createElement('vscode-checkbox') as Checkbox;
  c.id = id;
  c.textContent = label;
  c.checked = checked;
  return {
    element: c,
    get: () => c.checked,
    set: (v) => {
      c.checked = v;
    },
    onChange: (listener) => c.addEventListener('change', listener),
    setDisabled: (d) => {
      c.disabled = d;
    },
  };
}

export interface Tabs {
  element: HTMLElement;
  /** Each tab's content, by id. */
  views: Map<string, HTMLElement>;
  active(): string;
  select(id: string): void;
  onChange(listener: (id: string) => void): void;
}

/** Tabs with the toolkit's keyboard handling (arrow keys, Home, End) and ARIA roles. */
export function tabs(items: readonly { id: string; title: string }[]): Tabs {
  registerControls();
  const panels = document.createElement('vscode-panels') as Panels;
  const views = new Map<string, HTMLElement>();
  for (const { id, title } of items) {
    const tab = document.createElement('vscode-panel-tab');
    tab.id = `tab-${id}`;
    tab.textContent = title;
    panels.append(tab);
  }
  for (const { id } of items) {
    const view = document.createElement('vscode-panel-view');
    view.id = `view-${id}`;
    panels.append(view);
    views.set(id, view);
  }
  const idOf = (tabId: string): string => tabId.replace(/^tab-/, '');
  return {
    element: panels,
    views,
    active: () => idOf(panels.activeid ?? `tab-${items[0]?.id ?? ''}`),
    select: (id) => {
      panels.activeid = `tab-${id}`;
    },
    // Controls inside the views send bubbling `change` events too; only the panels' own count.
    onChange: (listener) => panels.addEventListener('change', (e) => e.target === panels && listener(idOf(panels.activeid))),
  };
}
