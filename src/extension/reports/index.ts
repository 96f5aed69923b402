// The report commands, as entries of the extension's one command table
// (src/extension/commands.ts), and the block CodeLens.
import type { Ctx } from '../ctx';
import { insertReportBlockCommand, refreshReportBlocksCommand, removeReportBlockCommand } from './blocks';
import { compareModelsCommand, generateReportCommand } from './generate';

export { registerReportLens } from './blocks';

export const REPORT_COMMANDS: Record<string, { title: string; run: (ctx: Ctx, ...args: unknown[]) => unknown }> = {
  'quantlab.generateReport': { title: 'Generate Report', run: generateReportCommand },
  'quantlab.compareModels': { title: 'Compare Models', run: compareModelsCommand },
  'quantlab.insertReportBlock': { title: 'Insert Report Block', run: (ctx, given) => insertReportBlockCommand(ctx, given) },
  'quantlab.refreshReportBlocks': { title: 'Refresh Report Blocks', run: refreshReportBlocksCommand },
  'quantlab.removeReportBlock': { title: 'Remove Report Block', run: removeReportBlockCommand },
};
