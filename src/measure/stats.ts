// The copilot's figures over a window ending now (`/copilot stats`), and the weekly summary: a timer on the
// product's clock, armed at every start and by each run, that posts once per slot whatever the restarts.
import type { AppContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { defineJob } from '../jobs/define-job.js';
import type { JobDefinition } from '../jobs/job-queue.js';
import { requestPresentation } from '../jobs/presentations.js';
import { addDays, fromLocal, toLocal } from '../oncall/business-hours.js';
import { timerRunAt } from '../oncall/timers.js';
import type { WeeklyAt } from '../config/copilot-schema.js';
import { computeFigures, type Figures } from './figures.js';
import { claimSummarySlot, outcomesBetween, shadowDecisionsBetween, summaryPosted } from './repository.js';
import { ShowCopilotSummary } from './presentations.js';
import { PostCopilotSummary, summaryJobId } from './requests.js';
import { buildStatsView, type StatsView } from './stats-view.js';

export const DEFAULT_STATS_WINDOW_MS = 7 * 86_400_000;
const WEEK_MS = 7 * 86_400_000;

/** "7d", "24h", "2w" (at most a year) to ms; anything else is refused with what is expected. */
export function parseStatsWindow(text: string): number {
  const t = text.trim().toLowerCase();
  if (!t) return DEFAULT_STATS_WINDOW_MS;
  const m = /^(\d{1,4})(h|d|w)$/.exec(t);
  const ms = m ? Number(m[1]) * { h: 3_600_000, d: 86_400_000, w: WEEK_MS }[m[2] as 'h' | 'd' | 'w'] : 0;
  if (!m || ms <= 0 || ms > 366 * 86_400_000)
    throw new ValidationError(
      'The window is a number of hours, days or weeks, like `24h`, `7d` or `2w` (at most a year).',
    );
  return ms;
}

/** The zone people read the figures in: `copilot.summaryTimeZone`, else the first team's, else UTC. */
export function statsTimeZone(ctx: Pick<AppContext, 'config'>): string {
  const f = ctx.config.file;
  return f.copilot.summaryTimeZone ?? f.teams[0]?.timeZone ?? 'UTC';
}

/** The figures of the incidents resolved in [to - windowMs, to). */
export async function figuresFor(ctx: AppContext, to: Date, windowMs: number): Promise<Figures> {
  const from = new Date(to.getTime() - windowMs);
  const [rows, shadows] = await Promise.all([
    outcomesBetween(ctx.knex, from, to),
    shadowDecisionsBetween(ctx.knex, from, to),
  ]);
  return computeFigures(rows, shadows, { from, to });
}

/** `/copilot stats [window]`: the figures of the window ending now, as people read them. */
export async function copilotStats(ctx: AppContext, windowMs: number): Promise<StatsView> {
  return buildStatsView(await figuresFor(ctx, ctx.clock.now(), windowMs), windowMs, statsTimeZone(ctx));
}

/** The first weekly slot strictly after `after`: the weekday and time of `at`, in `timeZone` (pure). */
export function nextSummarySlot(after: Date, at: WeeklyAt, timeZone: string): Date {
  const today = toLocal(after, timeZone);
  const hhmm = `${String(Math.floor(at.minuteOfDay / 60)).padStart(2, '0')}:${String(at.minuteOfDay % 60).padStart(2, '0')}`;
  for (let i = 0; i <= 8; i++) {
    const date = addDays(today, i);
    if (new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() !== at.weekday) continue;
    const slot = fromLocal(date, hhmm, timeZone);
    if (slot.getTime() > after.getTime()) return slot;
  }
  throw new Error('no weekly slot within 8 days');
}

/** Arms the summary's timer for the next slot after `after` (idempotent: the job id is the slot). */
export async function armWeeklySummary(ctx: AppContext, after: Date): Promise<void> {
  const s = ctx.config.file.copilot;
  if (!s.summaryChannel) return;
  const slot = nextSummarySlot(after, s.summaryAt, statsTimeZone(ctx));
  await ctx.queue.enqueue(
    PostCopilotSummary.name,
    { slot: slot.toISOString() },
    { jobId: summaryJobId(slot.toISOString()), runAt: timerRunAt(ctx.clock, slot) },
  );
}

/**
 * The summary's run: the figures of the week before the slot are stored with the slot (once: a retry or a second
 * replica finds it taken) and their post requested in the same transaction; then the next slot is armed.
 */
export function postCopilotSummaryJob(ctx: AppContext): JobDefinition<{ slot: string }> {
  return defineJob({
    ...PostCopilotSummary,
    lane: 'background',
    attempts: 5,
    backoffMs: 1000,
    async process({ slot }) {
      const channel = ctx.config.file.copilot.summaryChannel;
      const at = new Date(slot);
      if (channel && !(await summaryPosted(ctx.knex, slot))) {
        const figures = await figuresFor(ctx, at, WEEK_MS);
        const view = buildStatsView(figures, WEEK_MS, statsTimeZone(ctx));
        await ctx.knex.transaction(async (trx) => {
          if (!(await claimSummarySlot(trx, slot, channel, view, ctx.clock.now()))) return;
          await requestPresentation(
            ctx,
            ShowCopilotSummary,
            { slot, channel },
            { jobId: `show-copilot-summary:${slot}`, trx },
          );
        });
      }
      await armWeeklySummary(ctx, at);
    },
  });
}

export type { StatsView };
