// What activate() returns: the extension's parts the extension-host suite
// drives directly (extensions.getExtension(...).exports). Not a public API.
import type { ConfigDiagnostics } from './config/diagnostics';
import type { JobManager } from './jobs';
import type { ModelTree } from './sidebar/modelTree';

export interface QuantLabApi {
  jobs: JobManager;
  modelTree: ModelTree;
  diagnostics: ConfigDiagnostics;
}
