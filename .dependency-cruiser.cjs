// The architecture's layering rules (docs/architecture.md, "Rules the code keeps"), checked by dependency-cruiser in
// `npm test` (`npm run check:deps`). Each rule says why; test/unit/scripts/dependency-rules.test.ts proves each one fails.
/** Type-only dependencies are erased at compile time: they carry types across layers, never code. */
const TYPES_ONLY = ['type-only', 'type-import'];
/** The core: everything under src/ but the adapters, which talk to the outside world. */
const CORE = { path: '^src/', pathNot: '^src/adapters/' };
const SLACK_SDK = '^node_modules/@slack/';
const SLACK_EDGES = '^(handlers|presenters)/';

/** @type {import('dependency-cruiser').IConfiguration} */
/** A folder that must not import the Slack edges (handlers/, presenters/): one rule shape, named per folder. */
function pointsInward(folder, comment) {
  return {
    name: `${folder}-points-inward`,
    severity: 'error',
    comment,
    from: { path: `^${folder}/` },
    to: { path: SLACK_EDGES },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Modules may not import each other in a circle. Type-only imports are erased and dynamic import() is lazy, so neither forms a cycle at run time.',
      from: {},
      to: {
        circular: true,
        dependencyTypesNot: [...TYPES_ONLY, 'dynamic-import'],
        viaOnly: { dependencyTypesNot: [...TYPES_ONLY, 'dynamic-import'] },
      },
    },
    {
      name: 'core-no-slack-sdk',
      severity: 'error',
      comment: 'Slack SDKs belong in src/adapters/ or sandbox/; the core talks to ports.',
      from: CORE,
      to: { path: SLACK_SDK },
    },
    {
      name: 'core-no-block-kit',
      severity: 'error',
      comment:
        'The core records what happened and requests presentations (src/<capability>/presentations.ts); presenters/slack/ renders with blocks/.',
      from: CORE,
      to: { path: '^blocks/' },
    },
    {
      name: 'core-points-inward',
      severity: 'error',
      comment:
        'Dependencies point inward: only the Slack surface (src/adapters/slack/) wires handlers and presenters in.',
      from: CORE,
      to: { path: SLACK_EDGES },
    },
    {
      name: 'adapters-point-inward',
      severity: 'error',
      comment:
        'Adapters may use the Slack SDK, but only the Slack surface (src/adapters/slack/) wires handlers and presenters in.',
      from: { path: '^src/adapters/', pathNot: '^src/adapters/slack/' },
      to: { path: SLACK_EDGES },
    },
    {
      name: 'src-no-tooling',
      severity: 'error',
      comment:
        'src/ is what runs in production: the local workspace (sandbox/) and eval (eval/) are tooling; only src/cli.ts loads them.',
      from: { path: '^src/', pathNot: '^src/cli[.]ts$' },
      to: { path: '^(sandbox|eval)/' },
    },
    {
      name: 'cli-loads-tooling-lazily',
      severity: 'error',
      comment:
        'src/cli.ts loads the local workspace and the eval commands with import(), only for the commands that need them.',
      from: { path: '^src/cli[.]ts$' },
      to: { path: '^(sandbox|eval)/', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'blocks-only-types-of-src',
      severity: 'error',
      comment: 'blocks/ takes view models: it may import types of src/, never its code.',
      from: { path: '^blocks/' },
      to: { path: '^src/', dependencyTypesNot: TYPES_ONLY },
    },
    pointsInward('blocks', 'Block Kit builders are pure functions of view models: no handlers, no presenters.'),
    {
      name: 'presenters-no-handlers',
      severity: 'error',
      comment: 'Presenters and handlers are both Slack edges, wired side by side in src/adapters/slack/.',
      from: { path: '^presenters/' },
      to: { path: '^handlers/' },
    },
    pointsInward(
      'sandbox',
      'The local workspace runs the app through src/; it never reaches for handlers or presenters.',
    ),
    {
      name: 'sandbox-not-eval',
      severity: 'error',
      comment:
        'The simulator (sandbox/world/) is what eval/ generates scenarios from; eval/ builds on it, not the reverse.',
      from: { path: '^sandbox/' },
      to: { path: '^eval/' },
    },
    {
      name: 'lib-is-pure',
      severity: 'error',
      comment: 'lib/ holds pure helpers that src/ and blocks/ both use: it imports nothing of the project.',
      from: { path: '^lib/' },
      to: { path: '^(src|blocks|handlers|presenters|sandbox|eval|migrations)/' },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['(^|/)static/'] },
    // Type-only imports are part of the graph (marked `type-only`), so blocks/ may import types of src/ and a
    // type-only import forms no cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
