// Lint: typescript-eslint's recommended rules plus the layering rules of docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const slackOutsideAdapters = {
  group: ['@slack/*'],
  message: 'Slack SDKs belong in src/adapters/ or sandbox/; the core talks to ports (docs/architecture.md).',
};

const toolingOutsideSrc = {
  group: ['**/sandbox/**', '**/eval/**'],
  message: 'src/ is what runs in production: the local workspace (sandbox/) and eval (eval/) are tooling; only src/cli.ts loads them.',
};

const inward = {
  group: ['**/handlers', '**/handlers/**'],
  message: 'Dependencies point inward: only src/app.ts wires handlers in.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'test-artifacts/**', 'sandbox/console/static/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core: no Slack SDK, no handlers.
    files: ['src/**/*.ts'],
    ignores: ['src/adapters/**', 'src/app.ts', 'src/cli.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [slackOutsideAdapters, inward, toolingOutsideSrc] }] },
  },
  {
    // Adapters, the sandbox and the Block Kit builders may use Slack's SDK, but never the handlers.
    files: ['src/adapters/**/*.ts', 'sandbox/**/*.ts', 'blocks/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [inward] }] },
  },
);
