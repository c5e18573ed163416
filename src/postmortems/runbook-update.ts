// The runbook changes an incident teaches, as pure functions over the runbook's Markdown: a step that worked gets the
// exact command that ran, a step that failed or misled is marked with what happened, a missing step is added, and
// `last_reviewed` is set (the front matter is rewritten through the YAML library). No runbook: one is written.
import type { Heading, List, ListItem, Nodes, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { parseDocument, stringify } from 'yaml';
import { frontMatterBlock } from '../runbooks/parse-runbook.js';

/** What the incident found about one catalog action, with the event that proves it. */
export interface StepFinding {
  action: string;
  /** The command that ran, placeholders filled; null when the action has none to show. */
  command: string | null;
  worked: boolean;
  /** What happened, for a step that failed or misled ("the SLI did not recover", the runner's error). */
  what: string;
  /** Event ids proving it. */
  evidence: number[];
}

/** One change made to the runbook, listed in the pull request's body with its evidence. */
export interface RunbookChange {
  kind: 'command_recorded' | 'step_marked' | 'step_added' | 'last_reviewed' | 'runbook_created';
  description: string;
  evidence: number[];
}

export interface RunbookUpdate {
  markdown: string;
  changes: RunbookChange[];
}

const actionMarker = (action: string) => new RegExp(`\\(action:\\s*${action.replace(/[^a-z0-9_]/gi, '')}\\s*\\)`, 'i');
const refs = (ids: number[]) => ids.map((id) => `ev:${id}`).join(', ');

/** The front matter block with `last_reviewed` set and every other key kept; a new block when there was none. */
function frontMatterWith(yaml: string | null, day: string): string {
  if (yaml === null) return `---\n${stringify({ last_reviewed: day })}---\n`;
  // gray-matter keeps a Windows line end's \r on each line of the block: the YAML is read with plain line ends.
  const doc = parseDocument(yaml.split('\r\n').join('\n').replace(/\r$/, ''));
  // An empty block (or one of comments only) has no map to set a key in: the key follows what it held.
  if (!doc.contents) return `---\n${yaml.trim() ? `${yaml.trim()}\n` : ''}${stringify({ last_reviewed: day })}---\n`;
  doc.set('last_reviewed', day);
  return `---\n${doc.toString()}---\n`;
}

/**
 * Sets `last_reviewed` in the front matter (adding front matter when there is none), keeping every other key. The
 * block is found by gray-matter, as the runbook reader finds it (an empty block or a byte-order mark included).
 */
export function setLastReviewed(markdown: string, day: string): string {
  const block = frontMatterBlock(markdown);
  return frontMatterWith(block?.yaml ?? null, day) + (block ? block.body : markdown);
}

const parseBody = (body: string): Root => unified().use(remarkParse).parse(body);

/** Every list item of the document, nested ones included, in document order. */
function listItems(root: Root): Array<{ item: ListItem; list: List; index: number }> {
  const out: Array<{ item: ListItem; list: List; index: number }> = [];
  const walk = (nodes: readonly Nodes[]) => {
    for (const n of nodes) {
      if (n.type === 'list') n.children.forEach((item, index) => out.push({ item, list: n, index }));
      if ('children' in n) walk(n.children as Nodes[]);
    }
  };
  walk(root.children);
  return out;
}

/** The line range [start, end) of the list item whose own prose names the action, or null (read by remark). */
function findItem(body: string, action: string): { start: number; end: number; indent: string } | null {
  const marker = actionMarker(action);
  for (const { item } of listItems(parseBody(body))) {
    const prose = item.children.find((c) => c.type === 'paragraph');
    if (!prose || !marker.test(toString(prose))) continue;
    // Continuation lines of the item are indented to where its content starts.
    const column = prose.position!.start.column;
    return { start: item.position!.start.line - 1, end: item.position!.end.line, indent: ' '.repeat(column - 1) };
  }
  return null;
}

/** After the last numbered step (where a missing step goes), or at the end of the Mitigation section. */
function findInsertionPoint(body: string): { at: number; next: number | null; bullet: boolean } {
  const root = parseBody(body);
  const numbered = listItems(root).filter((x) => x.list.ordered);
  const last = numbered.at(-1);
  if (last) return { at: last.item.position!.end.line, next: (last.list.start ?? 1) + last.index + 1, bullet: false };
  const headings = root.children.filter((n): n is Heading => n.type === 'heading');
  const mitigation = headings.find((h) => /^mitigation\b/i.test(toString(h).trim()));
  if (mitigation) {
    const next = headings.find((h) => h.position!.start.offset! > mitigation.position!.start.offset!);
    const lines = body.split('\n');
    let end = next ? next.position!.start.line - 1 : lines.length;
    while (end > mitigation.position!.end.line && lines[end - 1]!.trim() === '') end--;
    return { at: end, next: null, bullet: true };
  }
  return { at: body.split('\n').length, next: 1, bullet: false };
}

/**
 * Applies what the incident found to a runbook. `ref` names the incident (`INC-12`), `day` is `YYYY-MM-DD`. Steps are
 * matched by the catalog action their prose names (`(action: NAME)`); an action that worked with no step is added.
 */
export function updateRunbook(
  markdown: string,
  findings: readonly StepFinding[],
  ref: string,
  day: string,
): RunbookUpdate {
  const changes: RunbookChange[] = [];
  // The body only: the front matter is rewritten once, at the end.
  const fm = frontMatterBlock(markdown);
  const lines = (fm?.body ?? markdown).split('\n');
  for (const f of findings) {
    // Parsed again for each finding: an earlier one may have added lines.
    const item = findItem(lines.join('\n'), f.action);
    if (item) {
      const note = f.worked
        ? f.command
          ? [
              `${item.indent}Ran in ${ref} and it worked (${refs(f.evidence)}):`,
              '',
              `${item.indent}\`\`\`sh`,
              ...f.command.split('\n').map((c) => `${item.indent}${c}`),
              `${item.indent}\`\`\``,
            ]
          : [`${item.indent}Worked in ${ref} (${refs(f.evidence)}).`]
        : [`${item.indent}**In ${ref} this step ${f.what}** (${refs(f.evidence)}).`];
      lines.splice(item.end, 0, '', ...note);
      changes.push({
        kind: f.worked ? 'command_recorded' : 'step_marked',
        description: f.worked
          ? `Step \`(action: ${f.action})\`: recorded the command that ran${f.command ? `: \`${f.command.split('\n')[0]}\`` : ''}`
          : `Step \`(action: ${f.action})\`: marked, it ${f.what}`,
        evidence: f.evidence,
      });
    } else if (f.worked) {
      const point = findInsertionPoint(lines.join('\n'));
      const lead = point.bullet ? '- ' : `${point.next}. `;
      const pad = ' '.repeat(lead.length);
      const text = `${lead}Run ${f.action} (action: ${f.action}); it resolved ${ref} (${refs(f.evidence)}).`;
      const block = f.command
        ? [text, '', `${pad}\`\`\`sh`, ...f.command.split('\n').map((c) => `${pad}${c}`), `${pad}\`\`\``]
        : [text];
      lines.splice(point.at, 0, ...(point.at > 0 ? [''] : []), ...block);
      changes.push({
        kind: 'step_added',
        description: `Added a step for \`${f.action}\`, which worked and no step named`,
        evidence: f.evidence,
      });
    }
  }
  const out = frontMatterWith(fm?.yaml ?? null, day) + lines.join('\n');
  changes.push({ kind: 'last_reviewed', description: `\`last_reviewed\` set to ${day}`, evidence: [] });
  return { markdown: out, changes };
}

/** A new runbook for an alert that had none, from what worked in the incident. */
export function createRunbook(
  opts: { alertname: string; service: string | null; ref: string; day: string; id: string },
  findings: readonly StepFinding[],
): RunbookUpdate {
  const worked = findings.filter((f) => f.worked);
  const front = stringify({
    id: opts.id,
    title: `${opts.alertname}${opts.service ? ` on ${opts.service}` : ''}`,
    alerts: [opts.alertname],
    ...(opts.service ? { services: [opts.service] } : {}),
    last_reviewed: opts.day,
  });
  const lines = [`# ${opts.alertname}`, '', `Written from what worked in ${opts.ref}.`, ''];
  worked.forEach((f, i) => {
    lines.push(`${i + 1}. Run ${f.action} (action: ${f.action}); it resolved ${opts.ref} (${refs(f.evidence)}).`);
    if (f.command) lines.push('', '   ```sh', ...f.command.split('\n').map((c) => `   ${c}`), '   ```');
  });
  if (!worked.length) lines.push('1. Nothing ran that worked in this incident: write the first step after the review.');
  return {
    markdown: `---\n${front}---\n${lines.join('\n')}\n`,
    changes: [
      {
        kind: 'runbook_created',
        description: `No runbook answered ${opts.alertname}: created one with ${worked.length} step(s) that worked`,
        evidence: worked.flatMap((f) => f.evidence),
      },
    ],
  };
}
