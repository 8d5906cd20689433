import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['node_modules/', 'src/generated/', 'coverage/', 'dist/', 'tools/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // @kubernetes/client-node declares its models as data-only classes; its API is meant to
      // be called with plain object literals, which this rule would reject everywhere.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
    },
  },
  // The architecture's one-way arrows, enforced: the generated client is reached only through
  // src/vvp, and the controller core knows nothing of VVP.
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    ignores: ['src/vvp/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/generated', '**/generated/**'],
              message: 'Call the VVP API through src/vvp, never src/generated directly.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/controller/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/generated',
                '**/generated/**',
                '**/vvp',
                '**/vvp/**',
                '**/simulator',
                '**/simulator/**',
                '**/tokens',
                '**/tokens/**',
                '**/reconcilers/**',
              ],
              message: 'The controller core knows only Kubernetes; VVP belongs to the reconcilers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
