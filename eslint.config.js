import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', 'coverage/', '.scratch/']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      'no-empty': ['error', {allowEmptyCatch: true}],
    },
  },
  {
    // The library never depends on the CLI layer.
    files: ['src/**/*.ts'],
    rules: {'no-restricted-imports': ['error', {patterns: [{group: ['**/commands/*', '**/commands'], message: 'src/ must not import commands/.'}]}]},
  },
)
