// The `autonomy` section: which catalog actions the copilot may run alone, under which conditions, as rules.
import { z } from 'zod';
import { CATEGORIES } from '../investigation/evidence-model.js';

/** What a rule lets the copilot do with a matching action. */
export const AUTONOMY_MODES = ['auto', 'approve', 'two_person', 'shadow'] as const;
export type AutonomyMode = (typeof AUTONOMY_MODES)[number];

/** Evidence kinds a hypothesis cites (src/investigation/ports.ts EvidenceRef.kind). */
export const EVIDENCE_KINDS = ['deploy', 'change', 'metric', 'log', 'past_incident', 'runbook'] as const;

const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]);

export const autonomyRuleSchema = z
  .object({
    /** Named in every decision it takes (timeline, spans, /copilot stats). */
    name: z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, 'expected a lowercase rule name'),
    /** What the rule applies to; a key left out matches anything. */
    match: z
      .object({
        category: oneOrMany(z.enum(CATEGORIES)).optional(),
        service: oneOrMany(z.string().min(1)).optional(),
        /** Service tiers (1 is the most critical). */
        tier: oneOrMany(z.union([z.literal(1), z.literal(2), z.literal(3)])).optional(),
        action: oneOrMany(z.string().min(1)).optional(),
      })
      .strict()
      .prefault({}),
    mode: z.enum(AUTONOMY_MODES),
    /** For `auto` (and `shadow`): all must hold, else a person approves. */
    when: z
      .object({
        /** The hypothesis's confidence must be at least this. */
        minConfidence: z.number().min(0).max(1).optional(),
        /** Evidence kinds the hypothesis must cite, every one (e.g. [deploy, log]). */
        evidence: z.array(z.enum(EVIDENCE_KINDS)).default([]),
        /** `inside` or `outside` the team's business hours; `any` by default. */
        businessHours: z.enum(['any', 'inside', 'outside']).default('any'),
        /**
         * The error-budget policy state of the service's SLOs (src/slo): `not_hard_paused` (not when any SLO is
         * hard-paused), `burning` (only while an SLO is soft- or hard-paused); `any` by default.
         */
        slo: z.enum(['any', 'not_hard_paused', 'burning']).default('any'),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type AutonomyRule = z.output<typeof autonomyRuleSchema>;

export const autonomySchema = z
  .object({
    /** The kill switch in the config: while true nothing runs alone (`/copilot pause` sets the same in the database). */
    paused: z.boolean().default(false),
    /**
     * Rules, first match wins. Without any, `remediation.autoRemediate` with each action's `risk: low` and
     * `autoRunAbove` is the one rule (`remediation.autoRemediate`), as before.
     */
    rules: z.array(autonomyRuleSchema).default([]),
    /** Mode when no rule matches. */
    defaultMode: z.enum(['approve', 'two_person', 'shadow']).default('approve'),
    /** Blast radius: at most this many actions run alone per hour in total; one in flight per service always. */
    maxAutonomousPerHour: z.number().int().min(0).max(100).default(3),
  })
  .strict()
  .prefault({});
export type AutonomyConfig = z.output<typeof autonomySchema>;
