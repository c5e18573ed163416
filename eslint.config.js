// Lint: typescript-eslint's recommended rules plus the layering rules of docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const slackOutsideAdapters = {
  group: ['@slack/*'],
  message: 'Slack SDKs belong in src/adapters/ or src/sandbox/; the core talks to ports (docs/architecture.md).',
};

const inward = {
  group: ['**/handlers', '**/handlers/**'],
  message: 'Dependencies point inward: only src/app.ts wires handlers in.',
};

const slackSideOutsideCore = {
  group: ['**/blocks', '**/blocks/**', '**/presenters', '**/presenters/**'],
  message: 'The core records what happened and requests presentations (src/<capability>/presentations.ts); presenters/slack/ renders with blocks/ (docs/architecture.md).',
};

const onlyTypesOfSrc = {
  group: ['**/src', '**/src/**'],
  allowTypeImports: true,
  message: 'blocks/ takes view models: it may import types of src/, never its code (docs/architecture.md).',
};

const noPresenters = {
  group: ['**/presenters', '**/presenters/**'],
  message: 'Presenters call blocks/, not the other way round.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'test-artifacts/**', 'src/sandbox/console/static/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core: no Slack SDK, no Block Kit, no handlers, no presenters. src/app.ts wires them in until the Slack wiring
    // moves to src/adapters/slack/; the local workspace (src/sandbox/) is a Slack of its own.
    files: ['src/**/*.ts'],
    ignores: ['src/adapters/**', 'src/sandbox/**', 'src/app.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [slackOutsideAdapters, inward, slackSideOutsideCore] }] },
  },
  {
    // Adapters and the sandbox may use Slack's SDK, but never the handlers.
    files: ['src/adapters/**/*.ts', 'src/sandbox/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [inward] }] },
  },
  {
    // Block Kit builders: pure functions of view models, which they import as types only.
    files: ['blocks/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [onlyTypesOfSrc, inward, noPresenters] }] },
  },
  {
    // Presenters may use src/, blocks/ and Slack's types, but never the handlers.
    files: ['presenters/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [inward] }] },
  },
);
