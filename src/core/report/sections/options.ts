// What a section renderer is told, and what it says when its part was not measured.

export interface RenderOptions {
  /** Link the figure files report.json names (a full report); blocks show no figures. */
  figures: boolean;
  /** In a block: tell the user which parameter to add. */
  block: boolean;
}

export const REPORT_RENDER: RenderOptions = { figures: true, block: false };
export const BLOCK_RENDER: RenderOptions = { figures: false, block: true };

export function missing(what: string, o: RenderOptions): string {
  return o.block
    ? `_No ${what} here: this block needs a dataset — add \`data=<path>\` (and \`transform="…"\`) to its marker._`
    : `_No ${what}: run the report with \`--data <path>\` to measure it._`;
}
