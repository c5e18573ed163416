// Runbook Markdown to the runbook model: front matter with gray-matter, the body with remark (mdast), no regular
// expressions over the Markdown itself.
import { setKeepingAtMost } from '../../lib/bounded-map.js';
import matter from 'gray-matter';
import type { Heading, List, ListItem, Nodes, Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { ValidationError } from '../errors.js';
import {
  frontMatterSchema,
  SECTION_NAMES,
  type ParsedRunbook,
  type RunbookStepModel,
  type SectionName,
} from './model.js';

const markdownParser = unified().use(remarkParse);

/** Front matter languages gray-matter would evaluate as code (`---js`): a runbook from git must never run. */
function refuseCode(): never {
  throw new Error('front matter in a programming language is not read: use YAML');
}
/**
 * gray-matter's options: YAML and JSON only. Passing options also turns off gray-matter's cache, which would otherwise
 * keep every text it ever parsed.
 */
const MATTER_OPTIONS = {
  engines: {
    javascript: refuseCode,
    js: refuseCode,
    coffee: refuseCode,
    coffeescript: refuseCode,
    cson: refuseCode,
  },
};

/** The `(action: NAME)` marker of a step that a catalog action carries out; read from its prose, never its code. */
const ACTION_MARKER = /\(action:\s*([a-z][a-z0-9_]*)\s*\)/i;
/** A heading that is an alert name (`# KubePodCrashLooping`), as the public layout titles its runbooks. */
const ALERT_NAME = /^[A-Za-z_:][A-Za-z0-9_:]*$/;

/** The body of a runbook once read: its first heading, its sections and its steps. */
export interface RunbookBody {
  heading: string | null;
  layout: ParsedRunbook['layout'];
  sections: ParsedRunbook['sections'];
  steps: RunbookStepModel[];
}

/** What a runbook file does not say itself: its id (from its path), or a title and alerts from the config. */
export interface RunbookDefaults {
  id?: string;
  title?: string;
  alerts?: readonly string[];
  /** Where the runbook came from (a path or a URL), named in errors. */
  source: string;
}

/**
 * Parses a runbook: validates its front matter (a bad field is named, e.g. `last_drilled: expected a date like
 * 2026-03-01`) and reads its steps from numbered lists, or from the Diagnosis and Mitigation sections of the public
 * layout (their list items, else their paragraphs).
 */
export function parseRunbook(markdown: string, defaults: RunbookDefaults): ParsedRunbook {
  const { data, content } = splitFrontMatter(markdown, defaults.source);
  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success)
    throw new ValidationError(
      `${defaults.source}: invalid front matter`,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(front matter)'}: ${i.message}`),
    );
  const fm = parsed.data;
  const body = readRunbookBody(content);
  const id = fm.id ?? defaults.id;
  if (!id) throw new ValidationError(`${defaults.source}: invalid front matter`, ['id: required (no path to name it)']);
  const headingAlert =
    body.layout === 'sections' && body.heading && ALERT_NAME.test(body.heading) ? body.heading : null;
  return {
    id,
    title: fm.title ?? defaults.title ?? body.heading ?? id,
    alerts: fm.alerts ?? (defaults.alerts?.length ? [...defaults.alerts] : headingAlert ? [headingAlert] : []),
    services: fm.services ?? [],
    owner: fm.owner ?? null,
    lastDrilled: fm.last_drilled ?? null,
    lastReviewed: fm.last_reviewed ?? null,
    layout: body.layout,
    sections: body.sections,
    steps: body.steps,
  };
}

/**
 * The steps of a runbook whatever its front matter says (the investigator reads steps even from a runbook whose
 * front matter the lint refuses; unreadable YAML is then read as part of the body).
 */
export function readRunbookSteps(markdown: string): readonly ReadStep[] {
  const known = stepsRead.get(markdown);
  if (known) return known;
  const steps = Object.freeze(
    readStepsOf(markdown).map((s) =>
      Object.freeze({ ...s, code: Object.freeze([...s.code]), links: Object.freeze([...s.links]) }),
    ),
  );
  return setKeepingAtMost(stepsRead, markdown, steps, STEPS_READ_KEPT);
}

/**
 * Runbooks whose steps were read, by their text (the oldest dropped past STEPS_READ_KEPT): every investigation reads
 * the steps of every runbook it is given, and Markdown parsing was ~6 ms of each on the local world's runbooks.
 */
/** A step as readRunbookSteps shares it: frozen through, so one reader cannot change what the next one reads. */
export type ReadStep = Readonly<Omit<RunbookStepModel, 'code' | 'links'>> & {
  readonly code: readonly string[];
  readonly links: readonly string[];
};

const stepsRead = new Map<string, readonly ReadStep[]>();
const STEPS_READ_KEPT = 256;

function readStepsOf(markdown: string): RunbookStepModel[] {
  let content = markdown;
  try {
    content = matter(markdown, MATTER_OPTIONS).content;
  } catch {
    // Unreadable front matter: `runbooks lint` names it; the steps below it are still steps.
  }
  return readRunbookBody(content).steps;
}

function splitFrontMatter(markdown: string, source: string): { data: Record<string, unknown>; content: string } {
  try {
    const file = matter(markdown, MATTER_OPTIONS);
    return { data: file.data as Record<string, unknown>, content: file.content };
  } catch (err) {
    throw new ValidationError(`${source}: invalid front matter`, [`not valid YAML: ${yamlReason(err)}`], {
      cause: err,
    });
  }
}

/**
 * A runbook's front matter block as gray-matter finds it (the same reading as `parseRunbook`): its YAML text and the
 * body after it; null when the runbook has none. A byte-order mark before the opening `---` is dropped.
 */
export function frontMatterBlock(markdown: string): { yaml: string; body: string } | null {
  const text = markdown.charCodeAt(0) === 0xfeff ? markdown.slice(1) : markdown;
  const file = matter(text, MATTER_OPTIONS);
  // gray-matter leaves the content as given when there is no front matter, and cuts the block off when there is.
  return file.content === text ? null : { yaml: file.matter, body: file.content };
}

/**
 * The YAML parser's message on one line: "… at line 3, column 1:" is followed by the offending line, which is quoted
 * after it instead of being cut off ("… at line 3, column 1: `: b: [`").
 */
export function yamlReason(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split('\n');
  const first = lines[0]?.trim() || 'unreadable';
  if (!first.endsWith(':')) return first;
  const snippet = lines
    .slice(1)
    .map((l) => l.trim())
    .find((l) => l && !/^\^+$/.test(l));
  return snippet ? `${first} \`${snippet}\`` : first.slice(0, -1);
}

/** Reads a Markdown body (no front matter) into its first heading, sections and steps. */
export function readRunbookBody(content: string): RunbookBody {
  const tree = markdownParser.parse(content) as Root;
  let heading: string | null = null;
  const sectionNodes = new Map<SectionName, RootContent[]>();
  let current: { name: SectionName; depth: number } | null = null;
  for (const node of tree.children) {
    if (node.type === 'heading') {
      const text = toString(node).trim();
      if (heading === null && node.depth === 1) heading = text;
      const name = sectionName(node);
      if (name) {
        current = { name, depth: node.depth };
        sectionNodes.set(name, []);
        continue;
      }
      if (current && node.depth <= current.depth) current = null;
    }
    if (current) sectionNodes.get(current.name)!.push(node);
  }
  const sections: ParsedRunbook['sections'] = {};
  for (const [name, nodes] of sectionNodes) sections[name] = sliceOf(content, nodes);
  const layout = sectionNodes.has('diagnosis') || sectionNodes.has('mitigation') ? 'sections' : 'numbered';
  const steps = layout === 'numbered' ? numberedSteps(content, tree.children) : sectionSteps(content, sectionNodes);
  return { heading, layout, sections, steps };
}

function sectionName(node: Heading): SectionName | null {
  const text = toString(node).trim().toLowerCase();
  return SECTION_NAMES.find((s) => s === text) ?? null;
}

/** Every item of the document's top-level ordered lists, numbered as written. */
function numberedSteps(content: string, nodes: readonly RootContent[]): RunbookStepModel[] {
  const steps: RunbookStepModel[] = [];
  for (const node of nodes) {
    if (node.type !== 'list' || !node.ordered) continue;
    node.children.forEach((item, i) => steps.push(stepOf(content, item.children, (node.start ?? 1) + i, 'steps')));
  }
  return steps;
}

/** Diagnosis then Mitigation: their list items, or, in a section without a list, each paragraph with its code. */
function sectionSteps(content: string, sectionNodes: Map<SectionName, RootContent[]>): RunbookStepModel[] {
  const steps: RunbookStepModel[] = [];
  for (const section of ['diagnosis', 'mitigation'] as const) {
    const nodes = sectionNodes.get(section) ?? [];
    const lists = nodes.filter((n): n is List => n.type === 'list');
    const groups: RootContent[][] = [];
    if (lists.length) for (const list of lists) groups.push(...list.children.map((item: ListItem) => item.children));
    else
      for (const node of nodes) {
        if (node.type === 'paragraph') groups.push([node]);
        else if (node.type === 'code' && groups.length) groups[groups.length - 1]!.push(node);
        else if (node.type === 'code') groups.push([node]);
      }
    for (const group of groups) if (group.length) steps.push(stepOf(content, group, steps.length + 1, section));
  }
  return steps;
}

function stepOf(
  content: string,
  nodes: readonly RootContent[],
  step: number,
  section: RunbookStepModel['section'],
): RunbookStepModel {
  const code: string[] = [];
  const links: string[] = [];
  let prose = '';
  const walk = (node: Nodes) => {
    if (node.type === 'inlineCode' || node.type === 'code') code.push(node.value);
    else if (node.type === 'text') prose += node.value;
    if (node.type === 'link') links.push(node.url);
    if ('children' in node) for (const child of node.children) walk(child);
  };
  for (const node of nodes) walk(node);
  const action = ACTION_MARKER.exec(prose)?.[1] ?? null;
  return { step, text: sliceOf(content, nodes), action, section, code, links };
}

/** The Markdown source of a run of nodes, as written. */
function sliceOf(content: string, nodes: readonly RootContent[]): string {
  const first = nodes[0]?.position?.start.offset;
  const last = nodes[nodes.length - 1]?.position?.end.offset;
  if (first === undefined || last === undefined) return '';
  return content.slice(first, last).trim();
}
