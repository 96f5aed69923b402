// Lint, and the folder boundaries from docs/STYLE.md as rules, so that they
// stay true: only src/extension talks to VS Code, src/core stays plain
// TypeScript, webview/ is browser code, src/protocol is shared by every side
// and so may import nothing at runtime.
import js from '@eslint/js';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const NO_VSCODE = { name: 'vscode', message: 'Only src/extension (and the extension-host suite) may import vscode.' };
const NO_TENSORFLOW = { group: ['@tensorflow/*'], message: 'TensorFlow.js belongs to src/engine: everything else asks the engine.' };
const NO_TOOLKIT = [
  { group: ['@vscode/webview-ui-toolkit', '@vscode/webview-ui-toolkit/*', '@microsoft/fast-*'], message: 'Only webview/toolkit.ts imports the UI component library.' },
];
const NO_NODE = [
  { group: ['node:*'], message: 'webview/ runs in a browser: no Node modules.' },
  { group: builtinModules.filter((m) => !m.startsWith('_')), message: 'webview/ runs in a browser: no Node modules.' },
];
// Relative imports inside src/protocol are its own files; everything else must be `import type`.
const TYPES_ONLY = { regex: '^(?!\\./)', allowTypeImports: true, message: 'src/protocol is shared by host, webview and worker: type-only imports from outside it.' };

/** One rule entry per folder: flat config replaces (not merges) a rule's options, so each lists all of its own. */
function restrict(files, { paths = [], patterns = [] }, ignores = []) {
  return {
    files,
    ignores,
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', '.vscode-test/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test()/describe() return promises its runner already tracks.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.mjs', 'src/**/*.ts', 'test/**/*.ts', 'scripts/**'], languageOptions: { globals: globals.node } },
  { files: ['webview/**/*.ts'], languageOptions: { globals: globals.browser } },

  restrict(['**/*.{ts,mjs}'], { paths: [NO_VSCODE], patterns: NO_TOOLKIT }),
  restrict(['src/**'], { paths: [NO_VSCODE], patterns: [NO_TENSORFLOW, ...NO_TOOLKIT] }, ['src/engine/**']),
  restrict(['src/extension/**', 'test/suite/**'], { patterns: [NO_TENSORFLOW, ...NO_TOOLKIT] }),
  restrict(['src/core/**'], { paths: [NO_VSCODE], patterns: [NO_TENSORFLOW, ...NO_TOOLKIT] }),
  restrict(['src/protocol/**'], { paths: [NO_VSCODE], patterns: [TYPES_ONLY] }),
  restrict(['webview/**'], { paths: [NO_VSCODE], patterns: [...NO_NODE, ...NO_TOOLKIT] }, ['webview/toolkit.ts']),
  restrict(['webview/toolkit.ts'], { paths: [NO_VSCODE], patterns: NO_NODE }),
);
