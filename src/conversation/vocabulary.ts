// The words of the question scorer: synonyms to concepts, multi-word phrases, and which concepts each intent weighs.
import type { Intent } from './understand.js';

export type Concept =
  | 'who'
  | 'why'
  | 'change'
  | 'deploy'
  | 'flag'
  | 'config'
  | 'oncall'
  | 'commander'
  | 'paged'
  | 'status'
  | 'severity'
  | 'timeline'
  | 'reason'
  | 'hypothesis'
  | 'number'
  | 'errors'
  | 'latency'
  | 'saturation'
  | 'metric'
  | 'logs'
  | 'runbook'
  | 'next'
  | 'similar'
  | 'help';

const WORDS: Record<Concept, string[]> = {
  who: ['who', 'whom', 'whose', 'person', 'somebody', 'someone', 'anyone'],
  why: ['why', 'how come'],
  change: ['change', 'chang', 'modify', 'modifi', 'different', 'diff', 'touch', 'edit', 'alter'],
  deploy: [
    'deploy',
    'release',
    'ship',
    'shipp',
    'rollout',
    'rolled',
    'merge',
    'merg',
    'push',
    'pushe',
    'version',
    'build',
    'commit',
  ],
  flag: ['flag', 'toggle', 'feature', 'experiment', 'switch'],
  config: ['config', 'configuration', 'setting', 'infra', 'schema', 'migration'],
  oncall: ['oncall', 'on-call', 'pager', 'rotation', 'shift', 'duty', 'responsible', 'primary', 'secondary'],
  commander: ['commander', 'ic', 'incharge', 'lead', 'leading', 'coordinat', 'owner', 'running', 'driving', 'captain'],
  paged: [
    'paged',
    'page',
    'notifi',
    'notify',
    'woken',
    'wake',
    'alerted',
    'escalat',
    'called',
    'ping',
    'pinged',
    'contacted',
  ],
  status: ['status', 'state', 'ack', 'acknowledg', 'resolv', 'open', 'mitigat', 'progress', 'going', 'update'],
  severity: ['severity', 'sev', 'sev1', 'sev2', 'sev3', 'priority', 'serious', 'bad', 'impact', 'urgent', 'critical'],
  timeline: [
    'timeline',
    'happen',
    'history',
    'chronology',
    'sequence',
    'recap',
    'catchup',
    'summary',
    'summar',
    'event',
  ],
  reason: [
    'reason',
    'evidence',
    'because',
    'explain',
    'justify',
    'proof',
    'support',
    'basis',
    'think',
    'believe',
    'suspect',
    'convinc',
    'sure',
    'confident',
    'confidence',
  ],
  hypothesis: [
    'hypothesis',
    'hypothes',
    'theory',
    'guess',
    'idea',
    'suspicion',
    'candidate',
    'explanation',
    'cause',
    'caus',
  ],
  number: [],
  errors: ['error', 'errors', 'failure', 'fail', 'failing', '5xx', '500', 'broken', 'exception'],
  latency: [
    'latency',
    'slow',
    'slowness',
    'sluggish',
    'p99',
    'p95',
    'p50',
    'lag',
    'laggy',
    'response',
    'duration',
    'fast',
    'speed',
  ],
  saturation: [
    'saturation',
    'saturat',
    'cpu',
    'memory',
    'mem',
    'ram',
    'load',
    'busy',
    'capacity',
    'disk',
    'connection',
    'queue',
    'throttl',
    'oom',
    'resource',
    'headroom',
  ],
  metric: [
    'metric',
    'graph',
    'chart',
    'dashboard',
    'number',
    'trend',
    'rate',
    'sli',
    'health',
    'healthy',
    'look',
    'doing',
  ],
  logs: [
    'log',
    'logging',
    'line',
    'stack',
    'stacktrace',
    'trace',
    'traceback',
    'stderr',
    'output',
    'message',
    'printing',
    'print',
  ],
  runbook: ['runbook', 'playbook', 'procedure', 'instruction', 'checklist', 'sop', 'remediat', 'fix', 'mitigation'],
  next: ['next', 'step', 'should'],
  similar: [
    'similar',
    'alike',
    'previous',
    'previously',
    'past',
    'earlier',
    'recurr',
    'recurrence',
    'repeat',
    'familiar',
    'precedent',
  ],
  help: ['help', 'capabilit', 'command', 'usage', 'abilit', 'able', 'support'],
};

/** Multi-word phrases, matched on the normalised text before single words (longest first). */
export const PHRASES: [string, Concept][] = (
  [
    ['on call', 'oncall'],
    ['on-call', 'oncall'],
    ['holding the pager', 'oncall'],
    ['carrying the pager', 'oncall'],
    ['in charge', 'commander'],
    ['in command', 'commander'],
    ['seen before', 'similar'],
    ['happened earlier', 'similar'],
    ['calling the shots', 'commander'],
    ['incident commander', 'commander'],
    ['so far', 'timeline'],
    ['catch me up', 'timeline'],
    ['fill me in', 'timeline'],
    ['what happened', 'timeline'],
    ['happened before', 'similar'],
    ['seen this', 'similar'],
    ['last time', 'similar'],
    ['happened last time', 'similar'],
    ['like this', 'similar'],
    ['next step', 'next'],
    ['what now', 'next'],
    ['what do we do', 'next'],
    ['what should we do', 'next'],
    ['how do we fix', 'runbook'],
    ['error rate', 'errors'],
    ['response time', 'latency'],
    ['root cause', 'hypothesis'],
    ['what can you do', 'help'],
    ['what can you', 'help'],
    ['what do you know', 'help'],
    ['how do i use', 'help'],
    ['rolled back', 'deploy'],
    ['went out', 'deploy'],
    ['went live', 'deploy'],
    ['woke up', 'paged'],
    ['got paged', 'paged'],
    ['how bad', 'severity'],
    ['where are we', 'status'],
    ['where do we stand', 'status'],
  ] as [string, Concept][]
).sort((a, b) => b[0].length - a[0].length);

/** Word (or stem) → concept. A word listed twice keeps its first concept. */
export const SYNONYMS: Map<string, Concept> = new Map();
for (const [concept, words] of Object.entries(WORDS) as [Concept, string[]][])
  for (const w of words) if (!SYNONYMS.has(w)) SYNONYMS.set(w, concept);

/** Ordinal words to hypothesis numbers ("the second one"). */
export const ORDINALS: Map<string, number> = new Map([
  ['first', 1],
  ['top', 1],
  ['second', 2],
  ['third', 3],
  ['fourth', 4],
  ['fifth', 5],
]);

/** What each intent weighs. An intent wins with the highest total, at least 2 and strictly above the runner-up. */
export const INTENT_CONCEPTS: Record<Intent, Partial<Record<Concept, number>>> = {
  changes: { change: 3, deploy: 3, flag: 3, config: 3 },
  oncall: { oncall: 3, who: 1 },
  commander: { commander: 3, who: 1 },
  paged: { paged: 3, who: 1 },
  status: { status: 3, severity: 3 },
  timeline: { timeline: 3 },
  why: { why: 1.5, reason: 2, hypothesis: 2, number: 2 },
  metrics: { errors: 3, latency: 3, saturation: 3, metric: 2 },
  logs: { logs: 3.5, errors: 0.5 },
  runbook: { runbook: 3, next: 2.5 },
  similar: { similar: 3 },
  help: { help: 3 },
};
