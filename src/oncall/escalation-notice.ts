// What an escalation note in the channel says, as data: the core records it, blocks/oncall.ts words it.
import { z } from 'zod';

const publicId = z.string().min(1);

/** One note about the escalation (paging, deferred, exhausted, severity changed, stopped, not paging, every alert resolved). */
export const escalationNoticeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('paging'),
    publicId,
    users: z.array(z.string()),
    unresolved: z.array(z.string()),
    step: z.number().int(),
    steps: z.number().int(),
    round: z.number().int(),
    lateByMs: z.number(),
    /**
     * Why the step ran late, when it did: `down` (the copilot was not running at its time) or `busy` (the queue); or
     * why its note is shown late: `held` (Slack did not take it for longer than STALE_NOTICE_MS: a revoked token, a
     * long outage, its dead letter retried by hand).
     */
    lateCause: z.enum(['down', 'busy', 'held']).optional(),
  }),
  z.object({ kind: z.literal('deferred'), publicId, pageAt: z.coerce.date(), timeZone: z.string().min(1) }),
  z.object({ kind: z.literal('exhausted'), publicId }),
  /** `by`: who changed it (a Slack user id or "copilot"); `reason` overrides "changed by <who>". */
  z.object({
    kind: z.literal('raised'),
    publicId,
    from: z.string(),
    to: z.string(),
    by: z.string().optional(),
    reason: z.string().optional(),
  }),
  /** `by`: a Slack user id, "pagerduty:<name>", "copilot" or "mitigation". */
  z.object({ kind: z.literal('stopped'), publicId, by: z.string() }),
  z.object({ kind: z.literal('not_paging'), publicId, reason: z.string() }),
  /** Every alert resolved: paging stopped, with a Resolve button; `autoResolveAfterMs` when a quiet period resolves it. */
  z.object({
    kind: z.literal('all_resolved'),
    publicId,
    incidentId: z.number().int().positive(),
    autoResolveAfterMs: z.number().optional(),
  }),
]);

export type EscalationNotice = z.output<typeof escalationNoticeSchema>;

/**
 * A note Slack did not take for longer than this is held back (a revoked token, a long outage, its dead letter retried
 * by hand once the token was fixed): shown only while it still holds (heldNoticeMoot), saying it is late (heldNotice).
 */
export const STALE_NOTICE_MS = 5 * 60_000;

/**
 * Notes that no longer hold once the incident is acknowledged or resolved, or its paging stopped (every alert
 * resolved): a page, a deferral, an exhausted policy.
 */
export function heldNoticeMoot(
  notice: EscalationNotice,
  state: { status: string; stopped: boolean } | undefined,
): boolean {
  return ['paging', 'deferred', 'exhausted'].includes(notice.kind) && (state?.status !== 'triggered' || state.stopped);
}

/**
 * How late a page or paging note is, as shown `heldMs` after it was asked for: held back past STALE_NOTICE_MS, that
 * time is added and Slack named as the cause; else as recorded.
 */
export function heldLateness<L extends { lateByMs: number; lateCause?: 'down' | 'busy' | 'held' | undefined }>(
  late: L,
  heldMs: number,
): L {
  return heldMs > STALE_NOTICE_MS ? { ...late, lateByMs: late.lateByMs + heldMs, lateCause: 'held' } : late;
}

/** The note as shown `heldMs` after it was asked for: a paging note held back past STALE_NOTICE_MS says so. */
export function heldNotice(notice: EscalationNotice, heldMs: number): EscalationNotice {
  return notice.kind === 'paging' ? heldLateness(notice, heldMs) : notice;
}
/** A notice as the core writes it (dates as Date). */
export type EscalationNoticeInput = z.input<typeof escalationNoticeSchema>;
