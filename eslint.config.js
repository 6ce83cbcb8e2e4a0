// Lint for the whole repository: typescript-eslint's recommended rules, plus the few house rules below.
// Import directions between layers are checked by dependency-cruiser (.dependency-cruiser.cjs), also under `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.tmp/**', 'clients/sdk/**', '**/dist/**', 'devnet/evm/*.artifact.json', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports (house style).' },
      ],
    },
  },
  {
    // Config files and ambient module declarations export defaults by their tools' convention.
    files: ['**/*.config.ts', '*.config.js', 'codegen.ts', '**/*.d.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Tests, test support and benchmarks read GraphQL responses loosely typed on purpose.
    files: ['**/*.test.ts', 'testing/**', 'bench/**', '**/testing/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
