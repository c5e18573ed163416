// The runbook model: its front matter (validated with zod), the sections of the common public layout, and its steps.
import { z } from 'zod';

/** A date in front matter: YAML's date (`2026-03-01`) or an ISO string; kept as `YYYY-MM-DD` or a full ISO time. */
const dateField = z.union([z.date(), z.string()], { error: 'expected a date like 2026-03-01' }).transform((v, ctx) => {
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime()) || (typeof v === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(v))) {
    ctx.addIssue({ code: 'custom', message: 'expected a date like 2026-03-01' });
    return z.NEVER;
  }
  return typeof v === 'string' ? v : d.toISOString().slice(0, 10);
});

/** One name or a list of names (`alerts: HighErrorRate` reads as `[HighErrorRate]`). */
const names = z
  .union([z.string().min(1), z.array(z.string().min(1))], { error: 'expected a name or a list of names' })
  .transform((v) => (typeof v === 'string' ? [v] : v));

/**
 * The YAML front matter of a runbook file. Every field is optional: a runbook of the public layout may carry only a
 * title, and the alert it answers is then its first heading. Unknown keys (a site generator's `weight`) are kept.
 */
export const frontMatterSchema = z.looseObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lowercase id such as rb-high-error-rate')
    .optional(),
  title: z.string().min(1, 'expected a non-empty title').optional(),
  alerts: names.optional(),
  services: names.optional(),
  owner: z.string().min(1, 'expected a team or a person').optional(),
  last_drilled: dateField.optional(),
  last_reviewed: dateField.optional(),
});

export type FrontMatter = z.infer<typeof frontMatterSchema>;

/** The sections of the layout of the Prometheus Operator's runbooks. */
export const SECTION_NAMES = ['meaning', 'impact', 'diagnosis', 'mitigation'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/** One step of a runbook. `action` is the catalog action it names with `(action: NAME)`, if any. */
export interface RunbookStepModel {
  step: number;
  /** The step as written (Markdown: code spans and fenced blocks kept, so commands can be filled and pasted). */
  text: string;
  action: string | null;
  /** Where it came from: a numbered list, or the Diagnosis or Mitigation section. */
  section: 'steps' | 'diagnosis' | 'mitigation';
  /** The code spans and fenced blocks of the step: the commands and queries it gives. */
  code: string[];
  /** The links of the step (dashboards, documents). */
  links: string[];
}

/** A parsed runbook: who it is for, what it says and its steps. */
export interface ParsedRunbook {
  id: string;
  title: string;
  alerts: string[];
  services: string[];
  owner: string | null;
  lastDrilled: string | null;
  lastReviewed: string | null;
  /** `numbered`: front matter and numbered steps; `sections`: Meaning / Impact / Diagnosis / Mitigation. */
  layout: 'numbered' | 'sections';
  sections: Partial<Record<SectionName, string>>;
  steps: RunbookStepModel[];
}
