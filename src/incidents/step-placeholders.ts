// A runbook step's placeholders (`<service>`, `{{ deploy_id }}`…) filled from the incident, and the command a step names.
import type { Incident } from './repository.js';

/** What a runbook placeholder can be filled with, from the incident and its top hypothesis. */
export interface PlaceholderValues {
  service: string | null;
  deploy: string | null;
  change: string | null;
  incident: string;
}

/** `<service>`, `<deploy-id>`, `{{ change_id }}`…: the placeholder's key, or null when it is not one we know. */
function placeholderKey(name: string): keyof PlaceholderValues | null {
  const n = name.toLowerCase().replace(/[\s_-]+/g, '');
  if (n === 'service' || n === 'servicename' || n === 'svc') return 'service';
  if (
    n === 'deploy' ||
    n === 'deployid' ||
    n === 'deployment' ||
    n === 'deploymentid' ||
    n === 'release' ||
    n === 'version'
  )
    return 'deploy';
  if (n === 'change' || n === 'changeid' || n === 'flag' || n === 'flagid' || n === 'cause') return 'change';
  if (n === 'incident' || n === 'incidentid') return 'incident';
  return null;
}

/**
 * Fills a runbook step's placeholders (`<service>`, `<deploy-id>`, `<change-id>`, `{{service}}`…) with the
 * incident's values, so the command can be copy-pasted; placeholders with no known value stay and are listed.
 */
export function fillPlaceholders(text: string, values: PlaceholderValues): { text: string; unknown: string[] } {
  const unknown: string[] = [];
  const filled = text.replace(
    /<([A-Za-z][A-Za-z0-9 _-]{0,40})>|\{\{\s*([A-Za-z][A-Za-z0-9_-]{0,40})\s*\}\}/g,
    (whole, a: string | undefined, b: string | undefined) => {
      const key = placeholderKey(a ?? b ?? '');
      if (!key) return whole;
      const value = values[key];
      if (value) return value;
      if (!unknown.includes(whole)) unknown.push(whole);
      return whole;
    },
  );
  return { text: filled, unknown };
}

/** The values a runbook step's placeholders take: the service, and the deploy or change the top hypothesis blames. */
export function placeholderValues(
  incident: Pick<Incident, 'service' | 'publicId' | 'investigation'>,
): PlaceholderValues {
  const top = incident.investigation?.hypotheses[0];
  const ref = (kind: string) => top?.evidence.find((e) => e.kind === kind)?.ref ?? null;
  const deploy = ref('deploy') ?? (top?.category === 'bad_deploy' ? top.cause : null);
  const change =
    ref('change') ?? (top && top.category !== 'bad_deploy' && top.cause && top.cause !== deploy ? top.cause : null);
  return { service: top?.service ?? incident.service, deploy, change, incident: incident.publicId };
}

/**
 * The command people run in a runbook step: its fenced block, else the first `code span` that reads as a command.
 * Other spans (a metric name, a PromQL query, a SQL function) are not boxed as something to paste.
 */
export function extractCommand(text: string): string | null {
  const fenced = /```(?:\w+\n)?([\s\S]*?)```/.exec(text);
  if (fenced?.[1]?.trim()) return fenced[1].trim();
  for (const m of text.matchAll(/`([^`\n]+)`/g)) {
    const span = m[1]!.trim();
    if (isCommand(span)) return span;
  }
  return null;
}

/** Command-line tools a runbook names; any other first word must look like a program and have arguments. */
const KNOWN_CLIS = /^(?:\w+ctl|kubectl|helm|docker|psql|redis-cli|curl|aws|gcloud|az|terraform|ssh|sudo|git)$/;
/** PromQL words that start a query with a space in it (`sum by (service) (...)`, `rate (x[5m])`). */
const PROMQL_WORDS = /^(?:sum|avg|min|max|count|topk|bottomk|quantile|rate|irate|increase|histogram_quantile|abs)$/;

function isCommand(span: string): boolean {
  const first = span.split(/\s+/)[0]!;
  if (KNOWN_CLIS.test(first)) return true;
  // A program name or path: no `:` (recording rules), `(`, `{` or `[` (queries, function calls).
  return /\s/.test(span) && /^(?:\.{0,2}\/)?[a-z][\w./-]*$/.test(first) && !PROMQL_WORDS.test(first);
}
