// ESLint flat config for the front end (web/js), its unit tests (web/test) and the browser
// tests (tests/browser). Run from the repository root by ./test.sh (or `npm run lint` in web/).
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['web/node_modules/**', 'target/**'] },
  {
    files: ['web/js/**/*.js'],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.browser },
  },
  {
    files: ['web/test/**/*.mjs', 'tests/browser/**/*.mjs', 'web/eslint.config.js'],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
  },
];
