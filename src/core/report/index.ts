// Report rendering: plain TypeScript from ReportData to Markdown and LaTeX,
// and the inline-block markers. Figures (SVG) are drawn in src/report-figures,
// which needs a DOM.
export * from './types';
export { buildReport, figurePath, pct, sig, type ReportInputs, type VariantInput, type QatInput } from './build';
export { BLOCK_SECTIONS, SECTIONS, renderReport, renderSection, sectionById, sectionsOf, tableOfContents, type Needs, type SectionDef } from './document';
export { BLOCK_RENDER, REPORT_RENDER, type RenderOptions } from './sections/options';
export { renderLatex, tex } from './latex';
export { architecture, displayNames, layerTable, type Architecture } from './layers';
export { renderCompare, type CompareData, type CompareModel } from './compare';
export * from './blocks';
export { md } from './markdown';
export { boundaries, weightStats, type WeightStats } from './plan';
export { QUANTLAB_VERSION } from './version';
export { BLOCK_SECTION_IDS, blockRequest, refreshDocument, renderBlocks, type BlockCompareRequest, type BlockReportRequest, type BlockRunner } from './blockRender';
