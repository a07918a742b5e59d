// Lint: typescript-eslint's recommended rules, plus the project's own: no `any` at module
// boundaries and no process.exit outside the CLI entry point and the server binary.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', 'server/native/build/**', 'node_modules/**', 'deploy/**', '.tmp/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_|^deps$|^ctx$', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
          message: 'Only cli/src/bin.ts and server/src/main.ts may call process.exit.',
        },
      ],
    },
  },
  {
    // Every spinner goes through cli/src/spinner.ts (no animation without a terminal width, stops on SIGINT/SIGTERM).
    files: ['cli/src/**/*.ts'],
    ignores: ['cli/src/spinner.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'ora', message: 'use startSpinner from cli/src/spinner.ts' }] }],
    },
  },
  {
    files: ['cli/src/bin.ts', 'server/src/main.ts', 'scripts/**', 'test/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
