// OpenSLO v1 documents (kind SLO, with an inline indicator or an indicatorRef to a kind SLI document) read into the
// SLO model. Ratio metrics with Prometheus queries, Occurrences budgeting, one objective per SLO.
import { z } from 'zod';
import { formatZodIssues } from '../errors.js';
import { parseDuration } from '../config/durations.js';
import { checkSpec, defaultAlertName, type SliSpec, type SloSpec } from './model.js';

const WINDOW = /\{\{\s*\.window\s*\}\}/;
const metadata = z.object({
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'expected a DNS-style name (lowercase, digits, -)'),
  displayName: z.string().optional(),
  labels: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
});
const source = z.object({
  metricSource: z.object({ type: z.string().optional(), spec: z.object({ query: z.string().min(1) }) }),
});
const sliSpec = z
  .object({
    ratioMetric: z
      .object({ counter: z.boolean().default(false), good: source.optional(), bad: source.optional(), total: source })
      .superRefine((r, ctx) => {
        if ((r.good === undefined) === (r.bad === undefined))
          ctx.addIssue({ code: 'custom', path: ['good'], message: 'give exactly one of good or bad (with total)' });
      })
      .optional(),
    thresholdMetric: z.unknown().optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.ratioMetric)
      ctx.addIssue({ code: 'custom', path: ['ratioMetric'], message: 'only ratioMetric indicators are supported' });
  });

export const openSloSliSchema = z.object({
  apiVersion: z.literal('openslo/v1'),
  kind: z.literal('SLI'),
  metadata,
  spec: sliSpec,
});

export const openSloSloSchema = z.object({
  apiVersion: z.literal('openslo/v1'),
  kind: z.literal('SLO'),
  metadata,
  spec: z
    .object({
      description: z.string().optional(),
      service: z.string().min(1),
      indicator: z.object({ metadata: metadata.optional(), spec: sliSpec }).optional(),
      indicatorRef: z.string().optional(),
      budgetingMethod: z.literal('Occurrences', { error: 'only Occurrences budgeting is supported' }),
      timeWindow: z
        .array(
          z.object({
            duration: z.string().regex(/^\d+(m|h|d|w)$/, 'expected a duration such as 28d or 4w'),
            isRolling: z.boolean().default(true),
          }),
        )
        .length(1, 'give exactly one time window'),
      objectives: z
        .array(
          z
            .object({
              displayName: z.string().optional(),
              target: z.number().gt(0).lt(1).optional(),
              targetPercent: z.number().gt(0).lt(100).optional(),
            })
            .refine((o) => (o.target === undefined) !== (o.targetPercent === undefined), {
              message: 'give exactly one of target or targetPercent',
            }),
        )
        .length(1, 'give exactly one objective per SLO'),
    })
    .superRefine((s, ctx) => {
      if ((s.indicator === undefined) === (s.indicatorRef === undefined))
        ctx.addIssue({ code: 'custom', path: ['indicator'], message: 'give exactly one of indicator or indicatorRef' });
    }),
});

type SliDoc = z.infer<typeof sliSpec>;

/** An OpenSLO query as a windowed one: kept when it has `{{.window}}`, else a counter's rate over the window. */
function windowed(query: string, counter: boolean): string | null {
  if (WINDOW.test(query)) return query;
  return counter ? `sum(rate(${query}[{{.window}}]))` : null;
}

function sliOf(ind: SliDoc, at: string, problems: string[]): SliSpec | null {
  const r = ind.ratioMetric!;
  const total = windowed(r.total.metricSource.spec.query, r.counter);
  const part = r.bad ?? r.good!;
  const q = windowed(part.metricSource.spec.query, r.counter);
  if (total === null || q === null) {
    problems.push(`${at}.ratioMetric: queries need a {{.window}} placeholder unless counter: true`);
    return null;
  }
  return r.bad ? { kind: 'events', bad: q, total } : { kind: 'good-events', good: q, total };
}

const flatLabels = (l: Record<string, string | string[]>) =>
  Object.fromEntries(Object.entries(l).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));

/**
 * The SLOs of a set of OpenSLO documents (one file, several YAML documents): each `kind: SLO` with its inline
 * indicator or the `kind: SLI` its indicatorRef names. Problems name the document and field (`documents.1.spec.…`).
 */
export function specsFromOpenSlo(
  docs: { doc: unknown; index: number }[],
  sourceName: string,
): { specs: SloSpec[]; problems: string[] } {
  const problems: string[] = [];
  const slis = new Map<string, SliDoc>();
  const slos: { slo: z.infer<typeof openSloSloSchema>; index: number }[] = [];
  for (const { doc, index } of docs) {
    const kind = (doc as { kind?: unknown } | null)?.kind;
    const schema = kind === 'SLI' ? openSloSliSchema : kind === 'SLO' ? openSloSloSchema : null;
    if (!schema) {
      problems.push(`documents.${index}.kind: expected SLO or SLI, got ${JSON.stringify(kind)}`);
      continue;
    }
    const parsed = schema.safeParse(doc);
    if (!parsed.success) {
      problems.push(...formatZodIssues(parsed.error.issues).map((p) => `documents.${index}.${p}`));
      continue;
    }
    if (parsed.data.kind === 'SLI') slis.set(parsed.data.metadata.name, parsed.data.spec);
    else slos.push({ slo: parsed.data, index });
  }
  const specs: SloSpec[] = [];
  for (const { slo, index } of slos) {
    const at = `documents.${index}.spec`;
    const ind = slo.spec.indicator?.spec ?? slis.get(slo.spec.indicatorRef!);
    if (!ind) {
      problems.push(`${at}.indicatorRef: no kind: SLI document named "${slo.spec.indicatorRef}"`);
      continue;
    }
    const sli = sliOf(ind, slo.spec.indicator ? `${at}.indicator.spec` : `${at}.indicatorRef`, problems);
    if (!sli) continue;
    const objective = slo.spec.objectives[0]!;
    const tw = slo.spec.timeWindow[0]!.duration;
    const periodMs = tw.endsWith('w') ? Number(tw.slice(0, -1)) * 7 * 86_400_000 : parseDuration(tw);
    const id = `${slo.spec.service}-${slo.metadata.name}`;
    const spec: SloSpec = {
      id,
      name: slo.metadata.name,
      service: slo.spec.service,
      ...(slo.spec.description ? { description: slo.spec.description } : {}),
      objective: objective.target ?? objective.targetPercent! / 100,
      periodMs,
      sli,
      scope: { selector: {} },
      labels: flatLabels(slo.metadata.labels),
      alerting: {
        name: defaultAlertName(id),
        labels: {},
        annotations: {},
        page: { disabled: false, severity: 'sev2', labels: {}, annotations: {} },
        ticket: { disabled: false, severity: 'sev3', labels: {}, annotations: {} },
      },
      source: sourceName,
    };
    const p = checkSpec(spec, at);
    problems.push(...p);
    if (!p.length) specs.push(spec);
  }
  return { specs, problems };
}
