import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'release/', 'assets/', 'test-results/', '.scratch/', 'data-pipelines/inputs/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The renderer imports contracts and pure geo only — never feed server, ETL or Electron main code.
    files: ['renderer/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to the host only through electron/bridge.' }],
          patterns: [
            { group: ['**/data-pipelines/feed/**', '**/data-pipelines/etl/**'], message: 'The renderer may import data-pipelines/contracts and data-pipelines/geo only.' },
            { group: ['**/electron/main/**', '**/electron/preload/**'], message: 'The renderer talks to the host only through electron/bridge.' },
            { group: ['node:*'], message: 'No Node built-ins in the renderer.' },
          ],
        },
      ],
    },
  },
  {
    // The preload exposes the bridge and nothing else.
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/data-pipelines/**', '**/renderer/**', 'node:*'], message: 'Preload: contextBridge + bridge types only.' }] }],
    },
  },
);
