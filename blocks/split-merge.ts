// The channel lines of `/incident split` and `/incident merge` (the service name is untrusted text, escaped).
import type { IncidentNote } from '../src/incidents/presentations.js';
import { escapeMrkdwn } from './limits.js';

type SplitMergeNote = Extract<IncidentNote, { kind: 'split' | 'merged' }>;

const who = (by: string) => (/^[UW][A-Z0-9]+$/.test(by) ? `<@${by}>` : escapeMrkdwn(by));
const count = (n: number) => `${n} alert${n === 1 ? '' : 's'}`;

export function buildSplitMergeText(note: SplitMergeNote): string {
  if (note.kind === 'split')
    return `:scissors: \`${escapeMrkdwn(note.service)}\` was split out of ${note.from} into ${note.to} (${count(note.alerts)}, with their timeline) by ${who(note.by)}; ${note.to} pages on its own.`;
  return `:link: ${note.from} was merged into ${note.into} (${count(note.alerts)}, its timeline and pages) by ${who(note.by)}; ${note.from} is closed and its paging stopped. Follow ${note.into}.`;
}
