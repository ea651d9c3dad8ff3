// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const pureBrowserGlobals = [
  'window',
  'document',
  'indexedDB',
  'IDBKeyRange',
  'localStorage',
  'sessionStorage',
  'caches',
  'fetch',
  'navigator',
  'location',
  'self',
].map((name) => ({
  name,
  message: 'src/protocol is pure: pass side effects (storage, fetch, clock) in as parameters.',
}));

/** What src/protocol may not import: it imports only src/protocol (docs/layout.md). */
const protocolHosts = {
  group: ['**/app/**', '**/browser/**', '**/server/**', '**/sw/**', '**/sdk/**', '**/demo/**'],
  message: 'src/protocol must not depend on its hosts: it imports only src/protocol.',
};

/** What src/server may not import: the demos and `npm start`'s composition root sit above it. */
const serverHosts = {
  group: ['**/demo/**', '**/start/**'],
  message: 'src/server must not import src/demo (or src/start): src/start/main.ts composes them.',
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-sdk/**',
      'dist-relay/**',
      'dev-dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      '**/*.svelte',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: [
          './tsconfig.node.json',
          './sw/tsconfig.json',
          './src/protocol/tsconfig.json',
          './tsconfig.json',
        ],
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    ignores: ['src/protocol/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...pureBrowserGlobals],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'src/protocol is pure: no node: imports.' },
            { group: ['idb', 'idb/*'], message: 'src/protocol is pure: no IndexedDB.' },
            {
              group: ['@peculiar/x509'],
              message:
                'Import x509 from src/protocol/x509/lib/peculiar.ts (it loads reflect-metadata first).',
            },
          ],
        },
      ],
    },
  },
  {
    // The SDK runs in browsers too: only src/sdk/node.ts (and tests) may use Node.
    files: ['src/sdk/**/*.ts'],
    ignores: ['src/sdk/node.ts', 'src/sdk/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*'],
              message: 'The SDK runs in browsers: Node-only code goes in src/sdk/node.ts.',
            },
          ],
        },
      ],
    },
  },
  // Imports run one way (issue #15): src/protocol ← src/sdk ← src/app, src/server ← src/demo ←
  // src/start (src/server never imports src/demo).
  // A separate rule from the purity ones above, so that no file's exemption from those (the
  // Node entry, the x509 loader) exempts it from this; it has no per-file exemptions. Tests are
  // harnesses, not layers: a test may start a server for the code it tests.
  {
    files: ['src/protocol/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [protocolHosts] }] },
  },
  {
    // Inside the core: the engine (router) calls the operations, never the reverse.
    files: ['src/protocol/auth/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            protocolHosts,
            {
              group: ['**/engine/**'],
              message: 'src/protocol/engine imports auth; auth must not import it back.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/sdk/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**', '**/app/**', '**/demo/**', '**/sw/**'],
              message: 'The SDK must not depend on the device app, the demos or the servers.',
            },
          ],
        },
      ],
    },
  },
  {
    // The relay and its servers run without the demos: only the composition root of `npm start`
    // (src/start) puts them together. A dynamic import() is no import declaration, so a second
    // rule catches that form.
    files: ['src/server/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [serverHosts] }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/(^|\\/)(demo|start)\\//]',
          message: serverHosts.message,
        },
      ],
    },
  },
  {
    files: ['src/protocol/x509/lib/peculiar.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Tests parse JSON answers and poke at them; type-safety rules there cost more than they catch.
    files: ['**/*.test.ts', 'playwright/**/*.ts', 'src/testing/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
