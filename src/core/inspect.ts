// The inspect job: read a model file, infer shapes, build the summary.
import { openModelFile } from './io/source';
import { readModel } from './formats/registry';
import { summarize } from './summary/summarize';
import type { InspectOptions, ModelSummary } from './summary/types';

export function inspectModel(file: string, options: InspectOptions = {}): ModelSummary {
  const graph = readModel(openModelFile(file));
  return summarize(file, graph, options);
}
