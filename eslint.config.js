import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Layers: only src/main (and the preload) may import electron; never shell strings.
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only src/main and src/preload import electron.' }] }],
      'no-restricted-syntax': [
        'error',
        { selector: "Property[key.name='shell'][value.value=true]", message: 'No shell: run argv arrays through the runner.' },
      ],
    },
  },
  { files: ['src/main/**', 'src/preload/**'], rules: { 'no-restricted-imports': 'off' } },
  {
    files: ['src/engine/**', 'src/platform/**', 'src/common/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The engine never imports electron.' }],
          patterns: [{ group: ['**/main/**', '**/cli/**', '**/renderer/**'], message: 'Imports point downward only (DESIGN.md § Layers).' }],
        },
      ],
    },
  },
  { files: ['src/common/**'], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../*'], message: 'src/common imports nothing from the project.' }] }] } },
  // The electron stand-in is loaded by require() in its place, so it is CommonJS.
  { files: ['test/support/electron-stand-in/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['scripts/**', 'bin/**'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
