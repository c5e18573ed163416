// Sloth's `prometheus/v1` SLO files (version, service, labels, slos[]) read into the SLO model.
import { z } from 'zod';
import { formatZodIssues } from '../errors.js';
import { checkSpec, DAY_MS, type BurnAlertSpec, type SliSpec, type SloSpec } from './model.js';

const stringMap = z.record(z.string(), z.string());
const WINDOW = /\{\{\s*\.window\s*\}\}/;
const windowed = z
  .string()
  .min(1)
  .refine((q) => WINDOW.test(q), 'the query needs a {{.window}} placeholder');
const sev = z.enum(['sev1', 'sev2', 'sev3']).optional();

const slothAlert = z
  .object({
    disable: z.boolean().default(false),
    labels: stringMap.default({}),
    annotations: stringMap.default({}),
    /** Our extension: the copilot's severity for the incident this alert opens. */
    severity: sev,
  })
  .prefault({});

const slothSlo = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/, 'expected a name of letters, digits, _ . -'),
  objective: z.number().gt(0).lte(100),
  description: z.string().optional(),
  labels: stringMap.default({}),
  sli: z
    .object({
      events: z.object({ error_query: windowed, total_query: windowed }).optional(),
      raw: z.object({ error_ratio_query: windowed }).optional(),
      plugin: z.unknown().optional(),
    })
    .superRefine((s, ctx) => {
      if (s.plugin !== undefined)
        ctx.addIssue({ code: 'custom', path: ['plugin'], message: 'SLI plugins are not supported: use events or raw' });
      else if ((s.events === undefined) === (s.raw === undefined))
        ctx.addIssue({ code: 'custom', path: ['events'], message: 'give exactly one of events or raw' });
    }),
  alerting: z.object({
    name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected an alert name such as MyServiceHighErrorRate'),
    labels: stringMap.default({}),
    annotations: stringMap.default({}),
    page_alert: slothAlert,
    ticket_alert: slothAlert,
  }),
});

export const slothFileSchema = z.object({
  version: z.literal('prometheus/v1'),
  service: z.string().regex(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/, 'expected a service name of letters, digits, _ . -'),
  labels: stringMap.default({}),
  slos: z.array(slothSlo).min(1),
});

const alertOf = (a: z.infer<typeof slothAlert>, severity: BurnAlertSpec['severity']): BurnAlertSpec => ({
  disabled: a.disable,
  severity: a.severity ?? severity,
  labels: a.labels,
  annotations: a.annotations,
});

/** One Sloth document as specs, or the problems found, each naming its field (`slos.0.objective: …`). */
export function specsFromSloth(
  doc: unknown,
  source: string,
  periodMs = 30 * DAY_MS,
): { specs: SloSpec[]; problems: string[] } {
  const parsed = slothFileSchema.safeParse(doc);
  if (!parsed.success) return { specs: [], problems: formatZodIssues(parsed.error.issues) };
  const f = parsed.data;
  const problems: string[] = [];
  const specs: SloSpec[] = [];
  f.slos.forEach((s, i) => {
    const sli: SliSpec = s.sli.events
      ? { kind: 'events', bad: s.sli.events.error_query, total: s.sli.events.total_query }
      : { kind: 'error-ratio', errorRatio: s.sli.raw!.error_ratio_query };
    const spec: SloSpec = {
      id: `${f.service}-${s.name}`,
      name: s.name,
      service: f.service,
      ...(s.description ? { description: s.description } : {}),
      objective: s.objective / 100,
      periodMs,
      sli,
      scope: { selector: {} },
      labels: { ...f.labels, ...s.labels },
      alerting: {
        name: s.alerting.name,
        labels: s.alerting.labels,
        annotations: s.alerting.annotations,
        page: alertOf(s.alerting.page_alert, 'sev2'),
        ticket: alertOf(s.alerting.ticket_alert, 'sev3'),
      },
      source,
    };
    if (s.objective >= 100) problems.push(`slos.${i}.objective: 100% leaves no error budget`);
    const p = checkSpec(spec, `slos.${i}`);
    problems.push(...p);
    if (!p.length && s.objective < 100) specs.push(spec);
  });
  return { specs, problems };
}
