// Use case: `/drill <runbook>` asked in Slack. Which runbooks can be drilled, who may, and starting one (at most one
// running per runbook): the drill itself runs in the `run-drill` job (jobs/run-drill.ts).
import type { ScheduleDef } from '../config.js';
import type { AppContext } from '../context.js';
import { authorize } from '../authorization/authorize.js';
import { readRunbookSteps } from '../runbooks/parse-runbook.js';
import { scenariosForRunbook, type DrillRunbook, type DrillScenario } from './command.js';
import { insertDrillRequest, runningDrillOf, type DrillRequest } from './requests-repository.js';
import { RunSlackDrill, runDrillJobId } from './requests.js';

export type DrillAnswer =
  | { kind: 'unavailable' }
  | { kind: 'unknown'; known: string[] }
  | { kind: 'refused'; reason: string }
  | { kind: 'running'; request: DrillRequest }
  | { kind: 'started'; request: DrillRequest; scenario: DrillScenario };

/**
 * The runbooks `/drill` can drill, with the scenario each is drilled with: the copilot's own runbooks (the config
 * file's and RUNBOOKS_REPO's, by the alerts they answer and the catalog actions their steps name) and the drill
 * world's, each as long as a scenario of the world exercises it. Sorted by id.
 */
export async function drillableRunbooks(ctx: AppContext): Promise<Array<DrillRunbook & { scenario: DrillScenario }>> {
  const world = ctx.services.drills;
  if (!world) return [];
  const own = await (ctx.services.evidence.runbooks?.list() ?? Promise.resolve([])).catch((err: unknown) => {
    ctx.logger.warn({ err }, 'could not list the runbooks to drill; the drill world’s are offered');
    return [];
  });
  // Per id, the copilot's own runbook first, then the world's of the same id (the one the drill's app briefs with).
  const byId = new Map<string, DrillRunbook[]>();
  for (const rb of own)
    byId.set(rb.id, [
      {
        id: rb.id,
        alerts: rb.alerts,
        actions: readRunbookSteps(rb.markdown)
          .map((s) => s.action)
          .filter((a): a is string => a !== null),
      },
    ]);
  for (const rb of world.runbooks) byId.set(rb.id, [...(byId.get(rb.id) ?? []), rb]);
  return [...byId.values()]
    .flatMap((defs) => {
      for (const rb of defs) {
        const scenario = scenariosForRunbook(world, rb)[0];
        if (scenario) return [{ ...rb, scenario }];
      }
      return [];
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * The rotation whose people may drill a runbook: the team of a service that lists it, else the routing's default
 * team, else the first team with a rotation. A config with no rotation leaves nobody on call (leads, user groups and
 * named users still count).
 */
function drillRotation(ctx: AppContext, runbook: string): { schedule: ScheduleDef; team: string | null } {
  const file = ctx.config.file;
  const teamOf = (name: string | undefined) => file.teams.find((t) => t.name === name && t.schedule);
  const team =
    teamOf(file.services.find((s) => s.runbooks?.includes(runbook) && teamOf(s.team))?.team) ??
    teamOf(file.routing.defaultTeam) ??
    file.teams.find((t) => t.schedule);
  const schedule = file.schedules.find((s) => s.name === team?.schedule);
  if (schedule) return { schedule, team: team?.name ?? null };
  return { schedule: { ...(file.schedules[0] ?? ({} as ScheduleDef)), name: 'no rotation', members: [] }, team: null };
}

/**
 * `/drill <runbook>` by `user` in `channel`: unknown runbooks, people the authorization model refuses and a runbook
 * already being drilled are answered without starting anything; otherwise one drill is recorded and its job queued
 * in the same transaction.
 */
export async function requestSlackDrill(
  ctx: AppContext,
  p: { runbook: string; user: string; channel: string },
): Promise<DrillAnswer> {
  if (!ctx.services.drills) return { kind: 'unavailable' };
  const runbooks = await drillableRunbooks(ctx);
  const runbook = runbooks.find((r) => r.id === p.runbook);
  if (!runbook) return { kind: 'unknown', known: runbooks.map((r) => r.id) };
  const { schedule } = drillRotation(ctx, runbook.id);
  const decision = await authorize(ctx, { id: p.user, via: 'command' }, 'run_drill', {
    kind: 'schedule',
    schedule,
    object: `runbook ${runbook.id}`,
  });
  if (!decision.allowed) return { kind: 'refused', reason: decision.reason };
  const running = await runningDrillOf(ctx.knex, runbook.id);
  if (running) return { kind: 'running', request: running };
  const request = await ctx.knex.transaction(async (trx) => {
    const made = await insertDrillRequest(trx, {
      runbook: runbook.id,
      scenario: runbook.scenario.id,
      requestedBy: p.user,
      requestedIn: p.channel,
      at: ctx.clock.now(),
    });
    if (made)
      await ctx.queue.enqueue(RunSlackDrill.name, { requestId: made.id }, { jobId: runDrillJobId(made.id), trx });
    return made;
  });
  if (!request) {
    const other = await runningDrillOf(ctx.knex, runbook.id);
    if (other) return { kind: 'running', request: other };
    throw new Error(`a drill of ${runbook.id} could not be recorded`);
  }
  return { kind: 'started', request, scenario: runbook.scenario };
}
