// The config's `slos:` entries: the four parts of an SLO (SLI, objective, period, scope), its alerting and its
// error-budget policy. Today's short form (`sli: error_ratio`, `window: 28d`) stays valid.
import { z } from 'zod';
import { durationSchema as duration, severity } from './durations.js';

const stringMap = z.record(z.string(), z.string());
const WINDOW = /\{\{\s*\.window\s*\}\}/;

const query = (what: string) =>
  z
    .string()
    .min(1)
    .refine(
      (q) => WINDOW.test(q),
      `the ${what} query needs a {{.window}} placeholder for the range, e.g. [{{.window}}]`,
    );

/** Bad/total or good/total events by PromQL, each with a `{{.window}}` placeholder. */
export const sloEventsSchema = z
  .object({ good: query('good').optional(), bad: query('bad').optional(), total: query('total') })
  .superRefine((e, ctx) => {
    if ((e.good === undefined) === (e.bad === undefined))
      ctx.addIssue({ code: 'custom', path: ['bad'], message: 'give exactly one of good or bad (with total)' });
  });

/** One severity of an SLO's burn alert: the copilot's severity, extra labels (routing) and annotations. */
export const sloAlertSchema = z.object({
  disable: z.boolean().default(false),
  severity: severity.optional(),
  labels: stringMap.default({}),
  annotations: stringMap.default({}),
});

export const sloSchema = z
  .object({
    name: z.string().min(1),
    service: z.string(),
    description: z.string().optional(),
    /** Metric role (see metrics.roles) whose value is the bad share, e.g. error_ratio (the default). */
    sli: z.string().min(1).optional(),
    /** Or the SLI as events by PromQL. */
    events: sloEventsSchema.optional(),
    /** Or the SLI as one PromQL bad-share query with a {{.window}} placeholder. */
    errorRatioQuery: query('error ratio').optional(),
    objective: z.number().gt(0).lt(1),
    /** The SLO period (default 30d); `window` is its older name. */
    period: duration.optional(),
    window: duration.optional(),
    /** Which requests count: a description ("paid tier") and label matchers put into the SLI's queries. */
    scope: z.object({ description: z.string().optional(), selector: stringMap.default({}) }).prefault({}),
    /** Labels put on every rule generated for this SLO. */
    labels: stringMap.default({}),
    alerting: z
      .object({
        /** Alert name of the burn alerts; defaults to one built from the service and the SLO name. */
        name: z
          .string()
          .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected an alert name such as CheckoutAvailabilityBurn')
          .optional(),
        labels: stringMap.default({}),
        annotations: stringMap.default({}),
        page: sloAlertSchema.prefault({}),
        ticket: sloAlertSchema.prefault({}),
      })
      .prefault({}),
    /** Error-budget policy: what happens when the budget burns. */
    policy: z
      .object({
        fastBurnRate: z.number().positive().default(14.4),
        slowBurnRate: z.number().positive().default(6),
        freezeDeploysWhenExhausted: z.boolean().default(true),
        /** Soft-pause (risky changes wait) once this share of the budget is spent ahead of schedule. */
        softPauseSpent: z.number().gt(0).max(1).default(0.5),
        /** "Ahead of schedule": the burn rate over this window is above 1 (the budget would be gone before the period ends). */
        scheduleWindow: duration.default(86_400_000),
        /** Hard-pause (only fixes ship) once this share of the budget is spent. */
        hardPauseSpent: z.number().gt(0).max(2).default(1),
      })
      .prefault({}),
  })
  .superRefine((s, ctx) => {
    const given = [s.sli, s.events, s.errorRatioQuery].filter((x) => x !== undefined).length;
    if (given > 1)
      ctx.addIssue({
        code: 'custom',
        path: ['sli'],
        message: 'give one SLI: sli (a metric role), events (good/bad and total) or errorRatioQuery',
      });
    if (s.period !== undefined && s.window !== undefined)
      ctx.addIssue({ code: 'custom', path: ['window'], message: 'give period or window (its older name), not both' });
  })
  .transform(({ period, window, sli, ...rest }) => ({
    ...rest,
    sli: sli ?? 'error_ratio',
    /** The period in milliseconds. */
    window: period ?? window ?? 30 * 86_400_000,
  }));
