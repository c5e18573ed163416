// Incident roles beyond the commander (scribe, communications, ... from config `incidents.roles`): who holds which,
// assigned by those the authorization model allows (`assign_role`), recorded on the timeline and announced.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { requireAuthorized, type AccessActor } from '../authorization/authorize.js';
import { requestPresentation } from '../jobs/presentations.js';
import { findIncident, type Incident } from './repository.js';
import { appendEvent } from './timeline-repository.js';
import { scheduleBriefingUpdate } from './presentations.js';
import { listIncidentRoles } from './roles-repository.js';

/** Says in the incident channel who holds a role now, and rewrites the topic with the roles. Job id `role:<incident>:<role>:<ms>`. */
export const AnnounceRole = {
  name: 'announce-role',
  schema: z.object({
    incidentId: z.number().int().positive(),
    role: z.string().min(1),
    user: z.string().min(1),
    by: z.string().min(1),
  }),
} as const;
export type AnnounceRolePayload = z.output<typeof AnnounceRole.schema>;

/** Every role of the incident, the commander first (from the incident row), then the others as assigned. */
export async function rolesOf(ctx: AppContext, incident: Incident): Promise<{ role: string; user: string }[]> {
  const others = await listIncidentRoles(ctx.knex, incident.id, ctx.config.file.incidents.roles);
  return [
    ...(incident.commander ? [{ role: 'commander', user: incident.commander }] : []),
    ...others.filter((r) => r.role !== 'commander').map(({ role, user }) => ({ role, user })),
  ];
}

/** Checks a role name against the config; the error lists the roles there are. */
export function checkRole(ctx: AppContext, role: string): string {
  const roles = ctx.config.file.incidents.roles;
  const name = role.toLowerCase();
  if (!roles.includes(name))
    throw new ValidationError(`There is no role "${role.slice(0, 30)}"; the roles are ${roles.join(', ')}`);
  return name;
}

/**
 * Gives `user` a role (not commander: see setCommander) in the incident, for those allowed to (`assign_role`).
 * Recorded on the timeline; announced in the channel, the briefing and the topic when the holder changed.
 */
export async function assignRoleAs(
  ctx: AppContext,
  incidentId: number,
  input: { role: string; user: string },
  actor: AccessActor,
): Promise<{ changed: boolean; previous: string | null }> {
  const role = checkRole(ctx, input.role);
  if (role === 'commander') throw new ValidationError('The commander is set with `/incident commander @user`');
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new NotFoundError(`Incident ${incidentId}`);
  await requireAuthorized(ctx, actor, 'assign_role', { kind: 'incident', incident });
  if (incident.status === 'resolved') throw new ConflictError(`${incident.publicId} is already resolved`);
  const now = ctx.clock.now();
  const result = await ctx.knex.transaction(async (trx) => {
    const before = await trx('incident_roles').where({ incident_id: incidentId, role }).forUpdate().first();
    const previous = (before?.user_id as string | undefined) ?? null;
    if (previous === input.user) return { changed: false, previous };
    await trx('incident_roles')
      .insert({ incident_id: incidentId, role, user_id: input.user, assigned_by: actor.id, assigned_at: now })
      .onConflict(['incident_id', 'role'])
      .merge(['user_id', 'assigned_by', 'assigned_at']);
    await appendEvent(trx, {
      incidentId,
      type: 'incident.role_assigned',
      actor: actor.id,
      at: now,
      data: { role, user: input.user, ...(previous ? { previous } : {}) },
    });
    if (incident.channelId) {
      await requestPresentation(
        ctx,
        AnnounceRole,
        { incidentId, role, user: input.user, by: actor.id },
        { jobId: `role:${incidentId}:${role}:${now.getTime()}`, trx },
      );
      await scheduleBriefingUpdate(ctx, incidentId, trx);
    }
    return { changed: true, previous };
  });
  if (result.changed) ctx.events.emit('incident.updated', { incidentId, reason: 'role' });
  return result;
}
