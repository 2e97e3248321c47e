import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';

const XML_TEXT = {
  selector:
    "CallExpression[callee.property.name='txt']:not([arguments.0.callee.name='xmlText']):not([arguments.0.type='Literal'])",
  message: 'xmlbuilder2 text goes through xmlText() (src/xml/text.ts), which escapes & and CR',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Type-aware rules on the TypeScript the compiler sees (src/, test/, bench/): a promise is awaited, handed on,
  // or explicitly let go (`void`, or `.catch` that logs); a promise is never passed where a plain value or a
  // callback returning nothing is expected. Only these two, so lint stays quick.
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // A pattern whose time grows faster than its input (backtracking over a run it could match two ways) lets one
  // crafted value hold a worker for seconds: the gateway's patterns run in linear time.
  {
    files: ['src/**/*.ts'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
    },
  },
  // xmlbuilder2 writes `&name;` in a text as it is and a carriage return raw: every text goes through xmlText.
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', XML_TEXT] },
  },
  // The command line prints through src/cli/output.ts, which makes what it shows printable (src/core/printable.ts):
  // text from the store, an archive or the network never reaches the terminal with its control characters.
  // A later block's rule replaces an earlier one's for the files both match, so this one holds XML_TEXT too.
  {
    files: ['src/cli/**/*.ts'],
    ignores: ['src/cli/output.ts', 'src/cli/progress.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        XML_TEXT,
        {
          selector:
            "MemberExpression[object.object.name='process'][object.property.name=/^std(out|err)$/][property.name='write']",
          message: 'print through ./output.js (printLines, printText, print): it makes the text printable',
        },
        {
          selector: "MemberExpression[object.name='console']",
          message: 'print through ./output.js (printLines, printText, print): it makes the text printable',
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        describe: 'readonly',
        it: 'readonly',
        before: 'readonly',
        after: 'readonly',
        beforeEach: 'readonly',
        afterEach: 'readonly',
      },
    },
  },
);
