// Lint the TypeScript (sources, bench, unit tests) with typescript-eslint's recommended rules; CI
// runs it with --max-warnings 0. AssemblyScript (wasm/) is checked by its own compiler instead.
//
// The layering (docs/ARCHITECTURE.md) is checked here too, so CI fails if it breaks:
// - only the entry points, the CLI and the demo import the Framekit facade (ts/framekit.ts); every
//   other layer takes a KernelContext (ts/core);
// - the bottom layers (core, memory, image, features, kernels) import nothing from the layers above;
// - no import cycle anywhere in ts/ (import-x/no-cycle, resolving .js specifiers to their .ts files).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const FACADE = {
  group: ['**/framekit.js', '**/framekit'],
  message: 'Only the entry points, the CLI and the demo import the Framekit facade; take a KernelContext (ts/core/context.ts) instead.',
};
const ABOVE_KERNELS = {
  group: ['**/frame/*', '**/track/*', '**/workers/*', '**/pipeline/*', '**/schedule/*', '**/cli/*', '**/demo/*', '**/backends/webgpu/*'],
  message:
    'core, memory, image, features and kernels sit below frames, workers, GPU passes, track and the rest: they must not import them.',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'wasm/', 'rust/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['ts/**/*.ts'],
    ignores: ['ts/index.ts', 'ts/browser.ts', 'ts/api.ts', 'ts/framekit.ts', 'ts/cli/**', 'ts/demo/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [FACADE] }] },
  },
  {
    files: ['ts/core/**/*.ts', 'ts/memory/**/*.ts', 'ts/image/**/*.ts', 'ts/features/**/*.ts', 'ts/kernels/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [FACADE, ABOVE_KERNELS] }] },
  },
  {
    // The tensor file reader sits on the core: it imports only errors, the context and the arena types.
    files: ['ts/models/safetensors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            FACADE,
            ABOVE_KERNELS,
            {
              group: ['**/kernels/*', '../*.js', '!../registry.js'],
              message: 'The safetensors reader imports only errors, core, memory and the model registry.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['ts/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver': undefined,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
);
