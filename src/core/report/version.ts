// The version a report's provenance names. Kept equal to package.json's
// `version` by a unit test (the bundles do not read package.json).
export const QUANTLAB_VERSION = '0.1.0';
