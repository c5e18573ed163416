// Runbooks overdue for a drill: last drilled longer ago than runbookSettings.drillEvery, with no successful drill since.
import type { AppContext } from '../context.js';
import { lastSuccessfulDrills } from './repository.js';

export interface OverdueRunbook {
  id: string;
  title: string;
  /** What the lint says, e.g. "last drilled 2026-05-02, 212 days ago (drill every 90 days)". */
  reason: string;
}

const STALE = 'stale runbook: ';

/**
 * The runbooks the lint marks stale (their `last_drilled` is older than drillEvery), less those a drill of this copilot
 * mitigated within drillEvery (drill_runs). Runbooks that record no drill at all are left to `runbooks lint`, as the
 * briefing leaves them. Empty when no runbook source is configured.
 */
export async function runbooksOverdueForDrill(ctx: AppContext): Promise<OverdueRunbook[]> {
  const source = ctx.services.evidence.runbooks;
  if (!source) return [];
  const runbooks = await source.list().catch(() => []);
  const now = ctx.clock.now().getTime();
  const every = ctx.config.file.runbookSettings.drillEvery;
  const drilled = (await ctx.knex.schema.hasTable('drill_runs')) ? await lastSuccessfulDrills(ctx.knex) : new Map();
  return runbooks.flatMap((rb) => {
    const stale = rb.marks?.runbook.find((m) => m.startsWith(STALE));
    if (!stale) return [];
    const last = drilled.get(rb.id) as Date | undefined;
    if (last && now - last.getTime() <= every) return [];
    return [{ id: rb.id, title: rb.title, reason: stale.slice(STALE.length) }];
  });
}
