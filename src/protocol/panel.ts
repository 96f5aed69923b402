// Host ⇄ summary panel. The panel says `ready` when its script has loaded
// (again after a reload); only then does the host send the summary, so no
// model data is ever part of the HTML.
import type { ModelSummary } from '../core/summary/types';
import type { Outgoing } from './rpc';

/** What the panel read back from its own DOM after rendering. */
export interface RenderReport {
  /** Layer rows in the grid (header excluded). */
  rows: number;
  /** Text of the first few rows' Layer cells, as the DOM holds it. */
  names: string[];
  /** The totals and sizes lines, as shown. */
  totals: string[];
  /** Elements in the panel of a kind the view never creates: markup that came from data. Always 0. */
  unexpectedElements: number;
}

/** Served by the panel (webview). */
export interface PanelApi {
  requests: {
    showSummary(params: { summary: ModelSummary }): RenderReport;
  };
  notes: object;
}

/** Served by the extension host to a panel. */
export interface PanelHostApi {
  requests: object;
  notes: {
    ready(params: Record<string, never>): void;
  };
}

export type HostToPanel = Outgoing<PanelApi>;
export type PanelToHost = Outgoing<PanelHostApi>;
